/**
 * The token pair answer shared by signup, login and refresh (RFC 6749
 * section 5.1), plus the user it was issued to.
 */

import type { Service } from "./service";
import { signAccessToken } from "./tokens/access";

export interface TokenSubject {
  userId: string;
  email: string;
  roles: string[];
  sessionId: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  user: { id: string; email: string; roles: string[] };
}

/** Signs an access token for the session and pairs it with its refresh token. */
export async function tokenResponse(
  service: Service,
  subject: TokenSubject,
  refreshToken: string,
  now: number,
): Promise<TokenResponse> {
  const { issuer, audience, accessTokenTtl } = service.config;
  const accessToken = await signAccessToken(
    service.keys.signer,
    { sub: subject.userId, sid: subject.sessionId, email: subject.email, roles: subject.roles },
    { issuer, audience, ttl: accessTokenTtl, now },
  );
  return {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: accessTokenTtl,
    refresh_token: refreshToken,
    user: { id: subject.userId, email: subject.email, roles: subject.roles },
  };
}
