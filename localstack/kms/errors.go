package kms

import (
	"fmt"
	"net/http"

	"github.com/keyward/keyward/localstack/awsapi"
)

// KMS error codes as the API reference names them; all are HTTP 400 except
// KMSInternalException (500) and DryRunOperationException (412).
func kmsErr(code, format string, a ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, code, format, a...)
}

func errKeyNotFound(arn string) *awsapi.Error {
	return kmsErr("NotFoundException", "Key '%s' does not exist", arn)
}

func errAliasNotFound(aliasARN string) *awsapi.Error {
	return kmsErr("NotFoundException", "Alias %s is not found.", aliasARN)
}

func errInvalidKeyID(id string) *awsapi.Error {
	return kmsErr("NotFoundException", "Invalid keyId '%s'", id)
}

func errDisabled(arn string) *awsapi.Error {
	return kmsErr("DisabledException", "%s is disabled.", arn)
}

func errPendingDeletion(arn string) *awsapi.Error {
	return kmsErr("KMSInvalidStateException", "%s is pending deletion.", arn)
}

func errInvalidState(arn, state string) *awsapi.Error {
	return kmsErr("KMSInvalidStateException", "%s is %s.", arn, state)
}

func errInvalidCiphertextAPI() *awsapi.Error {
	return kmsErr("InvalidCiphertextException", "")
}

func errDryRun() *awsapi.Error {
	return awsapi.NewError(http.StatusPreconditionFailed, "DryRunOperationException",
		"The request would have succeeded, but the DryRun option is set.")
}

// validation builds the message shape AWS's request validation uses.
func validation(field string, value any, constraint string) *awsapi.Error {
	if value == nil {
		return awsapi.Validation("1 validation error detected: Value null at '%s' failed to satisfy constraint: %s", field, constraint)
	}
	return awsapi.Validation("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

func required(field string) *awsapi.Error {
	return validation(field, nil, "Member must not be null")
}

func lengthAtMost(field string, n int) *awsapi.Error {
	return awsapi.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", field, n)
}

func lengthAtLeast(field string, n int) *awsapi.Error {
	return awsapi.Validation("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", field, n)
}

func rangeErr(field string, v, lo, hi int) *awsapi.Error {
	if v < lo {
		return validation(field, v, fmt.Sprintf("Member must have value greater than or equal to %d", lo))
	}
	return validation(field, v, fmt.Sprintf("Member must have value less than or equal to %d", hi))
}
