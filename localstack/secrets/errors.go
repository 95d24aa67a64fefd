package secrets

import (
	"net/http"

	"github.com/keyward/keyward/localstack/awsapi"
)

// The Secrets Manager error codes, as the API reference lists them.
func errNotFound() *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

func errParam(format string, a ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidParameterException", format, a...)
}

func errRequest(format string, a ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidRequestException", format, a...)
}

func errExists(format string, a ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "ResourceExistsException", format, a...)
}

func errMarkedForDeletion() *awsapi.Error {
	return errRequest("You can't perform this operation on the secret because it was marked for deletion.")
}

// errLength is the front door's constraint message for a too long or too short member.
func errLength(member string, max int) *awsapi.Error {
	return awsapi.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", member, max)
}

func errMinLength(member string, min int) *awsapi.Error {
	return awsapi.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", member, min)
}
