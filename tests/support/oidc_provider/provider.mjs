// A real OpenID Connect provider for the console's sign-in tests: node-oidc-provider (an
// OpenID Certified implementation) with its built-in development login and consent pages.
// Anyone signs in with any password: typing "uid-wang" gives subject "uid-wang" and user name
// "wang", so tests can tell the provider's subject from its user name. Settings from the environment.
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: [process.env.OIDC_REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
  // The development login page makes what is typed the account id, which is the subject; the
  // user name (preferred_username) is that without a "uid-" prefix.
  async findAccount(ctx, id) {
    const username = id.replace(/^uid-/, '');
    return { accountId: id, claims: async () => ({ sub: id, preferred_username: username, name: username }) };
  },
  pkce: { required: () => true },
  cookies: { keys: ['console-test-provider-cookie-key'] },
  features: { devInteractions: { enabled: true } },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
