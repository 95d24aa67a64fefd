package endpoint

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"

	"github.com/keyward/keyward/localstack/awsapi"
)

// asAWSError turns any service error into the AWS shape; anything that is not an
// *awsapi.Error is an internal failure (5xx), whose detail stays in the log.
func asAWSError(err error, internalCode string) *awsapi.Error {
	var e *awsapi.Error
	if errors.As(err, &e) {
		if e.Status == 0 {
			c := *e
			c.Status = http.StatusBadRequest
			return &c
		}
		return e
	}
	return awsapi.NewError(http.StatusInternalServerError, internalCode, "We encountered an internal error. Please try again.")
}

// writeJSONError writes the JSON 1.0/1.1 error shape the SDK decodes: the code in
// both X-Amzn-ErrorType and __type, the message in "message".
func writeJSONError(w http.ResponseWriter, e *awsapi.Error, contentType, typePrefix string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Amzn-ErrorType", e.Code)
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{typePrefix + e.Code, e.Message})
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// writeQueryError writes the query protocol's <ErrorResponse> (STS, SNS).
func writeQueryError(w http.ResponseWriter, e *awsapi.Error, namespace, requestID string) {
	kind := "Sender"
	if e.Status >= 500 {
		kind = "Receiver"
	}
	doc := struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr,omitempty"`
		Type      string   `xml:"Error>Type"`
		Code      string   `xml:"Error>Code"`
		Message   string   `xml:"Error>Message"`
		RequestID string   `xml:"RequestId"`
	}{Xmlns: namespace, Type: kind, Code: e.Code, Message: e.Message, RequestID: requestID}
	writeXML(w, e.Status, doc)
}

// writeRESTError writes the REST-XML <Error> document (S3). HEAD responses carry
// no body, so the SDK reads the status alone there, as with AWS.
func writeRESTError(w http.ResponseWriter, r *http.Request, e *awsapi.Error, requestID string) {
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	doc := struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string   `xml:"Code"`
		Message   string   `xml:"Message"`
		RequestID string   `xml:"RequestId"`
	}{Code: e.Code, Message: e.Message, RequestID: requestID}
	writeXML(w, e.Status, doc)
}

func writeXML(w http.ResponseWriter, status int, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte("<Error><Code>InternalError</Code></Error>")
	}
	body = append([]byte(xml.Header), body...)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
