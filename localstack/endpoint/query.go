package endpoint

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/keyward/keyward/localstack/awsapi"
)

func (s *Server) serveQuery(w http.ResponseWriter, r *http.Request, call *awsapi.Call, svc awsapi.QueryService) {
	ns := svc.Namespace()
	r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		e := awsapi.NewError(http.StatusBadRequest, "MalformedQueryString", "cannot parse the request: %v", err)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			e = awsapi.NewError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "request body exceeds %d bytes", tooBig.Limit)
		}
		writeQueryError(w, e, ns, call.RequestID)
		return
	}
	call.Operation = r.Form.Get("Action")
	if call.Operation == "" {
		writeQueryError(w, awsapi.NewError(http.StatusBadRequest, "MissingAction", "Missing Action"), ns, call.RequestID)
		return
	}
	out, err := invokeQuery(awsapi.WithCall(r.Context(), call), svc, call, r)
	if err != nil {
		e := asAWSError(err, "InternalFailure")
		if e.Status >= 500 {
			s.log.Error("endpoint: service failure", "service", call.Service, "action", call.Operation, "err", err)
		}
		writeQueryError(w, e, ns, call.RequestID)
		return
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	start := xml.StartElement{Name: xml.Name{Local: call.Operation + "Response"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ns}}}
	err = enc.EncodeToken(start)
	if err == nil && out != nil {
		err = enc.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: call.Operation + "Result"}})
	}
	if err == nil {
		err = enc.EncodeElement(struct {
			RequestID string `xml:"RequestId"`
		}{call.RequestID}, xml.StartElement{Name: xml.Name{Local: "ResponseMetadata"}})
	}
	if err == nil {
		err = enc.EncodeToken(start.End())
	}
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		s.log.Error("endpoint: encode query response", "action", call.Operation, "err", err)
		writeQueryError(w, asAWSError(err, "InternalFailure"), ns, call.RequestID)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

func invokeQuery(ctx context.Context, svc awsapi.QueryService, call *awsapi.Call, r *http.Request) (out any, err error) {
	defer func() {
		if v := recover(); v != nil {
			out, err = nil, fmt.Errorf("panic in %s %s: %v", call.Service, call.Operation, v)
		}
	}()
	return svc.ServeQuery(ctx, call, r.Form)
}
