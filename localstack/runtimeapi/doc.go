// Package runtimeapi runs a real Lambda bootstrap locally behind the AWS Lambda
// Runtime API (the HTTP protocol every custom runtime speaks: GET
// /2018-06-01/runtime/invocation/next, POST .../{id}/response, .../{id}/error and
// /runtime/init/error), the way `sam local invoke` does without Docker.
//
// A Function owns one execution environment at a time: the bootstrap process and
// its Runtime API server on a loopback port. It starts the process on the first
// Invoke (a cold start, measured from process start to the first poll of /next),
// hands it one event at a time with the headers Lambda sends, and reports failures
// the way Lambda does (errorType/errorMessage): a handler error or panic as the
// runtime posted it, Sandbox.Timedout when the deadline passes, Runtime.ExitError
// when the process dies. After a timeout or an exit the environment is discarded
// and the next Invoke starts a new one.
//
// A Registry maps function names and ARNs to Functions and is the local endpoint's
// awsapi.Invoker (Secrets Manager's RotateSecret drives rotation functions through it).
package runtimeapi
