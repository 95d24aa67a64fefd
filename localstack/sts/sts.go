// Package sts is the local endpoint's AWS STS: GetCallerIdentity over the query
// protocol, answering with the principal the SigV4 access key maps to.
package sts

import (
	"context"
	"net/http"
	"net/url"

	"github.com/keyward/keyward/localstack/awsapi"
)

// Namespace is the xmlns of STS responses.
const Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// Service serves STS actions.
type Service struct{}

// New returns the STS service.
func New() *Service { return &Service{} }

// Namespace implements awsapi.QueryService.
func (*Service) Namespace() string { return Namespace }

type callerIdentity struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

// ServeQuery implements awsapi.QueryService.
func (*Service) ServeQuery(_ context.Context, call *awsapi.Call, params url.Values) (any, error) {
	switch call.Operation {
	case "GetCallerIdentity":
		c := call.Caller
		return callerIdentity{Arn: c.ARN, UserID: c.PrincipalID, Account: c.AccountID}, nil
	default:
		return nil, awsapi.NewError(http.StatusBadRequest, "InvalidAction",
			"Could not find operation %s for version %s", call.Operation, params.Get("Version"))
	}
}
