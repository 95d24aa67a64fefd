package keyops

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

// decodeJSON decodes a request body strictly: one JSON object, no unknown fields,
// right types; every failure is a 400 naming the field, never echoing the value.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			return badRequest("field %q must be %s", te.Field, jsonKind(te.Type.Kind().String()))
		case errors.As(err, &se):
			return badRequest("request body is not valid JSON (offset %d)", se.Offset)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return badRequest("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		return badRequest("request body is not a valid JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("request body must hold exactly one JSON object")
	}
	return nil
}

func jsonKind(k string) string {
	switch k {
	case "map", "struct":
		return "an object"
	case "slice":
		return "an array"
	case "bool":
		return "a boolean"
	case "int", "int64", "int32":
		return "an integer"
	}
	return "a " + k
}

// aliasRE is the alias name syntax KMS accepts after "alias/".
var aliasRE = regexp.MustCompile(`^[a-zA-Z0-9/_-]+$`)

// normalizeAlias accepts "alias/name" or "name" and returns "name", checking the
// syntax KMS allows (1–250 characters of [a-zA-Z0-9/_-], not the reserved aws/
// prefix) and that no segment names a sub-resource of the API.
func normalizeAlias(field, a string) (string, error) {
	a = strings.TrimPrefix(a, "alias/")
	switch {
	case a == "":
		return "", badRequest("%s: an alias is required", field)
	case len(a) > 250:
		return "", badRequest("%s: alias longer than 256 characters with the alias/ prefix", field)
	case !aliasRE.MatchString(a):
		return "", badRequest("%s: alias may contain only letters, digits, '/', '_' and '-'", field)
	case strings.HasPrefix(a, "aws/"):
		return "", badRequest("%s: the alias/aws/ prefix is reserved for AWS managed keys", field)
	case strings.HasPrefix(a, "/") || strings.HasSuffix(a, "/") || strings.Contains(a, "//"):
		return "", badRequest("%s: alias segments must not be empty", field)
	}
	for seg := range strings.SplitSeq(a, "/") {
		if reservedSegments[seg] {
			return "", badRequest("%s: alias segment %q is reserved by the API", field, seg)
		}
	}
	return a, nil
}

// secretNameRE is the secret name syntax of Secrets Manager.
var secretNameRE = regexp.MustCompile(`^[a-zA-Z0-9/_+=.@-]{1,512}$`)

func validSecretName(n string) error {
	if !secretNameRE.MatchString(n) {
		return badRequest("secret name must be 1–512 characters of letters, digits and /_+=.@-")
	}
	return nil
}

// validContext checks an encryption context: non-empty UTF-8 keys, no reserved
// aws-crypto- keys, at most MaxContextBytes in total.
func validContext(field string, ec map[string]string) error {
	total := 0
	for k, v := range ec {
		switch {
		case k == "":
			return badRequest("%s: keys must not be empty", field)
		case strings.HasPrefix(k, "aws-crypto-"):
			return badRequest("%s: keys starting with aws-crypto- are reserved", field)
		case !utf8.ValidString(k) || !utf8.ValidString(v):
			return badRequest("%s: keys and values must be UTF-8", field)
		}
		total += len(k) + len(v)
	}
	if total > MaxContextBytes {
		return newError(ErrBadRequest, "ContextTooLarge", "%s: encryption context exceeds %d bytes", field, MaxContextBytes)
	}
	return nil
}

// decodeB64 decodes a standard (padded) base64 field.
func decodeB64(field, v string) ([]byte, error) {
	if v == "" {
		return nil, badRequest("%s is required (base64)", field)
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, badRequest("%s is not valid base64", field)
	}
	return b, nil
}

// iamARNRE is the shape of an IAM principal ARN in a key policy or a grant.
var iamARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:(root|(user|role)/[\w+=,.@/-]{1,512})$`)

func validPrincipals(field string, arns []string) error {
	seen := map[string]bool{}
	for _, a := range arns {
		if !iamARNRE.MatchString(a) {
			return badRequest("%s: %q is not an IAM user, role or root ARN", field, truncate(a, 80))
		}
		if seen[a] {
			return badRequest("%s: %q is listed twice", field, truncate(a, 80))
		}
		seen[a] = true
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// decodeOptionalJSON is decodeJSON for routes whose body may be empty.
func decodeOptionalJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return decodeJSON(body, v)
}
