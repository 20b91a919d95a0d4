// Fills in the account page from /session. The tokens themselves stay in
// HttpOnly cookies: this script never sees them.

async function showAccount() {
  const response = await fetch("/session", { credentials: "same-origin" });
  if (!response.ok) return;
  const user = await response.json();

  document.getElementById("email").textContent = user.email;
  document.getElementById("roles").textContent = user.roles.join(", ");
  document.getElementById("expires").textContent = new Date(
    user.expires_at * 1000,
  ).toLocaleString();
  document.getElementById("who").textContent = user.email;
  document.getElementById("details").hidden = false;
}

showAccount();
