package s3

import (
	"net/http"

	"github.com/keyward/keyward/localstack/awsapi"
)

func errNoSuchBucket() *awsapi.Error {
	return awsapi.NewError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist")
}

func errNoSuchKey() *awsapi.Error {
	return awsapi.NewError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
}

func errInvalidBucketName() *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidBucketName", "The specified bucket is not valid.")
}

func errInvalidArgument(format string, a ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidArgument", format, a...)
}

func errNotImplemented() *awsapi.Error {
	return awsapi.NewError(http.StatusNotImplemented, "NotImplemented", "A header or query you provided implies functionality that is not implemented by this local endpoint")
}

func errMethodNotAllowed() *awsapi.Error {
	return awsapi.NewError(http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
}

func errBadDigest(what string) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "BadDigest", "The %s you specified did not match the calculated checksum.", what)
}
