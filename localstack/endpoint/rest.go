package endpoint

import (
	"fmt"
	"net/http"

	"github.com/keyward/keyward/localstack/awsapi"
)

// trackingWriter notes whether a REST service has started its response, so an
// error it returns afterwards is logged rather than written twice.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) { t.wrote = true; t.ResponseWriter.WriteHeader(code) }
func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

func (s *Server) serveREST(w http.ResponseWriter, r *http.Request, call *awsapi.Call, svc awsapi.RESTService) {
	w.Header().Set("x-amz-request-id", call.RequestID)
	if call.Service == "" {
		call.Service = "s3"
	}
	tw := &trackingWriter{ResponseWriter: w}
	err := func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("panic in %s: %v", call.Service, v)
			}
		}()
		return svc.ServeREST(tw, r.WithContext(awsapi.WithCall(r.Context(), call)), call)
	}()
	if err == nil {
		return
	}
	e := asAWSError(err, "InternalError")
	if e.Status >= 500 {
		s.log.Error("endpoint: service failure", "service", call.Service, "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if tw.wrote {
		s.log.Warn("endpoint: error after response started", "service", call.Service, "err", err)
		return
	}
	writeRESTError(w, r, e, call.RequestID)
}
