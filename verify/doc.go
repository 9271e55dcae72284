// Package verify authenticates incoming webhook requests.
//
// A [Verifier] checks one request: the original *http.Request (headers, URL
// query, RemoteAddr) plus the raw body bytes the server has already read.
// Constructors exist for the common providers ([GitHub], [GitLab], [Gitea],
// [Gogs], [Bitbucket], [StandardWebhooks], [Stripe], [Slack]) and for
// generic schemes ([HMAC], [Token], [Basic], [Bearer], [IPAllow]); [All] and
// [Any] combine them.
//
// Every constructor accepts several secrets at once so that secrets can be
// rotated: a request passes if any one of them matches. Constructing a
// verifier without a secret, or with an empty one, fails with an error
// wrapping [ErrNoSecret]; no constructor ever returns a verifier that lets
// everything through.
//
// Failures are reported as *[Error], whose Kind is one of the sentinel errors
// (match with errors.Is) and whose Status method gives the HTTP status to
// answer with. Error texts never contain secrets or signature values.
// Signatures and tokens are compared in constant time, and no input makes a
// verifier panic.
//
// Every verifier describes itself in words with String (what it checks and
// where, never a secret), for listings, and names the headers and query
// parameters that carry its credentials with CredentialNames, which the
// server keeps redacted in stored deliveries (sdk.CredentialNamer); [All]
// and [Any] describe and name those of their parts.
//
// The signing side, [NewSigner], produces the headers a real sender would
// attach, for tests and for the `hookpoint sign` command.
package verify
