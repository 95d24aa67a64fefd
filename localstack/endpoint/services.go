package endpoint

import (
	"github.com/keyward/keyward/localstack/kms"
	"github.com/keyward/keyward/localstack/sts"
)

// registerServices builds and registers every service the endpoint hosts. It is
// the one place a service is wired in: `make local-up` (cmd/endpoint), the
// conformance suite and endpointtest all get their services from here.
func (s *Server) registerServices() error {
	o := s.opts
	k, err := kms.New(kms.Options{Region: o.Region, AccountID: o.AccountID,
		StateFile: s.StatePath("kms.json"), Recorder: s.Trail})
	if err != nil {
		return err
	}
	s.KeyRing = k
	s.RegisterJSON("TrentService", "kms", k)
	s.RegisterQuery("sts", sts.New())

	// Secrets Manager (X-Amz-Target secretsmanager.*), S3 (REST) and SNS (query)
	// register here too, with s.KeyRing, s.Trail (awsapi.EventSink), o.Invoker and
	// s.StatePath("<service>...") for persistence.
	return nil
}
