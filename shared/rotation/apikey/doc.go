// Package apikey rotates API keys issued by an HTTP provider. The rotated secret
// names the provider's endpoints and, through "credentialarn", the secret that
// holds the admin credential used to call them:
//
//	createSecret  POST   createurl  (Authorization: Bearer <admin>, Idempotency-Key: <token>) → {"id","key"}
//	testSecret    GET    testurl    (Authorization: Bearer <new key>) → 2xx
//	finishSecret  DELETE revokeurl  ({id} → the previous key's id), after AWSCURRENT moved and the grace
//
// URLs must be https unless the host is loopback or the secret says "ssl": false;
// certificates are verified. Keys, credentials and response bodies never appear
// in errors.
package apikey
