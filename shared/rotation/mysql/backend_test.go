package mysql

import "github.com/keyward/keyward/shared/rotation/rotationtest"

// backend is where RotateSecret runs: the in-memory fake until the local endpoint lands.
var backend rotationtest.Backend = rotationtest.FakeBackend
