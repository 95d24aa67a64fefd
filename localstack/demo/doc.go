// Package demo is the scripted walk of keyward's story against a running local
// stack (`make local`, or localstack/stack in process): create a key, encrypt
// and decrypt through the keyops API, try to schedule its deletion (refused: in
// use), disable it, watch a Decrypt fail, see the alarm fire in the SNS capture,
// rotate a PostgreSQL secret and read the new value through the cache once its
// TTL has passed, and ask the audit store "who decrypted this key?".
//
// `make demo` runs it with narration (localstack/cmd/demo); TestDemo runs the
// same walk headless against an in-process stack. Every step checks what it
// shows and fails with the response that broke it.
package demo
