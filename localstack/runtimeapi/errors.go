package runtimeapi

import (
	"encoding/json"
	"fmt"
)

// FunctionError is a failed invocation as Lambda reports it: the function's own
// error or panic (Type and Message as its runtime posted them to /error), or a
// platform error such as Sandbox.Timedout or Runtime.ExitError.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
	// StackTrace is kept as the runtime sent it (Go's runtime sends frame objects).
	StackTrace json.RawMessage `json:"stackTrace,omitempty"`
	// Payload is the error document as Lambda would return it to the caller.
	Payload json.RawMessage `json:"-"`
}

func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Platform error types, as Lambda names them.
const (
	ErrorTypeTimeout      = "Sandbox.Timedout"
	ErrorTypeExit         = "Runtime.ExitError"
	ErrorTypeResponseSize = "Function.ResponseSizeTooLarge"
	ErrorTypeUnhandled    = "Unhandled"
)

// platformError builds a FunctionError worded like Lambda's own.
func platformError(typ, requestID, format string, a ...any) *FunctionError {
	e := &FunctionError{Type: typ, Message: fmt.Sprintf("RequestId: %s Error: %s", requestID, fmt.Sprintf(format, a...))}
	e.Payload, _ = json.Marshal(e)
	return e
}

// parseFunctionError reads what a runtime posted to /error or /init/error. A body
// that is not the documented JSON shape is kept as the message.
func parseFunctionError(body []byte, headerType string) *FunctionError {
	e := &FunctionError{}
	if err := json.Unmarshal(body, e); err != nil || (e.Type == "" && e.Message == "") {
		e = &FunctionError{Message: string(body)}
	}
	if e.Type == "" {
		e.Type = headerType
	}
	if e.Type == "" {
		e.Type = ErrorTypeUnhandled
	}
	e.Payload, _ = json.Marshal(e)
	return e
}
