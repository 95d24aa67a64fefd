package secrets

// referrer is an output that names one secret (and maybe a version), so
// TrailDetails can read it without re-encoding the output (which may hold a
// secret value).
type referrer interface {
	ref() (arn, name, versionID string)
}

func (o secretRef) ref() (string, string, string) { return o.ARN, o.Name, deref(o.VersionId) }
func (o getSecretValueOutput) ref() (string, string, string) {
	return o.ARN, o.Name, o.VersionId
}
func (o putSecretValueOutput) ref() (string, string, string) {
	return o.ARN, o.Name, o.VersionId
}
func (o secretEntry) ref() (string, string, string)        { return o.ARN, o.Name, "" }
func (o deleteSecretOutput) ref() (string, string, string) { return o.ARN, o.Name, "" }
func (o cancelRotateSecretOutput) ref() (string, string, string) {
	return o.ARN, o.Name, deref(o.VersionId)
}
func (o listSecretVersionIDsOutput) ref() (string, string, string) { return o.ARN, o.Name, "" }
func (o getResourcePolicyOutput) ref() (string, string, string)    { return o.ARN, o.Name, "" }
