package postgres

import "github.com/keyward/keyward/shared/rotation/rotationtest"

// backend is where RotateSecret runs: the local endpoint over HTTP with the real SDK client.
var backend rotationtest.Backend = rotationtest.EndpointBackend
