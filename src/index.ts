/** The Worker entry point: the app is built once per isolate, not per request. */

import { createApp } from "./app";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
