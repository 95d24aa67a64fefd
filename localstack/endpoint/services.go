package endpoint

import (
	"github.com/keyward/keyward/localstack/kms"
	"github.com/keyward/keyward/localstack/s3"
	"github.com/keyward/keyward/localstack/secrets"
	"github.com/keyward/keyward/localstack/sns"
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

	sm, err := secrets.New(secrets.Options{Region: o.Region, AccountID: o.AccountID, Keys: k,
		Invoker: o.Invoker, Events: s.Trail, StatePath: s.StatePath("secretsmanager.json")})
	if err != nil {
		return err
	}
	s.RegisterJSON("secretsmanager", "secretsmanager", sm)
	s.HandleDebug("/_keyward/secretsmanager/rotate-due", sm.RotateDueHandler())

	objects, err := s3.New(s3.Options{Region: o.Region, DataDir: s.StatePath("s3")})
	if err != nil {
		return err
	}
	s.RegisterREST("s3", objects)

	topics, err := sns.New(sns.Options{Region: o.Region, AccountID: o.AccountID, StatePath: s.StatePath("sns.json"),
		Invoker: o.Invoker})
	if err != nil {
		return err
	}
	s.RegisterQuery("sns", topics)
	s.HandleDebug("/_keyward/sns/messages", topics.MessagesHandler())
	return nil
}
