package audit

// dataPlane lists the high-volume data-plane operations per service: when they
// succeed they are counted, not stored one by one.
var dataPlane = map[string]map[string]bool{
	"kms": set("Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
		"GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", "ReEncrypt", "Sign", "Verify",
		"GenerateMac", "VerifyMac", "DeriveSharedSecret", "GenerateRandom"),
	"secretsmanager": set("GetSecretValue", "BatchGetSecretValue"),
	"ssm":            set("GetParameter", "GetParameters", "GetParametersByPath"),
}

// controlPlane lists the operations keyward knows as control-plane calls; other
// names are stored generically as KindUnknown.
var controlPlane = map[string]map[string]bool{
	"kms": set("CreateKey", "DisableKey", "EnableKey", "ScheduleKeyDeletion", "CancelKeyDeletion",
		"PutKeyPolicy", "GetKeyPolicy", "CreateGrant", "RevokeGrant", "RetireGrant", "ListGrants",
		"ListRetirableGrants", "CreateAlias", "UpdateAlias", "DeleteAlias", "ListAliases",
		"EnableKeyRotation", "DisableKeyRotation", "GetKeyRotationStatus", "RotateKeyOnDemand",
		"ListKeyRotations", "DescribeKey", "ListKeys", "ListKeyPolicies", "ListResourceTags",
		"TagResource", "UntagResource", "UpdateKeyDescription", "ImportKeyMaterial",
		"DeleteImportedKeyMaterial", "GetParametersForImport", "GetPublicKey", "ReplicateKey",
		"UpdatePrimaryRegion", "DeleteKey", "DeleteExpiredKeyMaterial"),
	"secretsmanager": set("CreateSecret", "PutSecretValue", "UpdateSecret", "UpdateSecretVersionStage",
		"RotateSecret", "CancelRotateSecret", "DeleteSecret", "RestoreSecret", "PutResourcePolicy",
		"DeleteResourcePolicy", "GetResourcePolicy", "ValidateResourcePolicy", "TagResource",
		"UntagResource", "DescribeSecret", "ListSecrets", "ListSecretVersionIds",
		"ReplicateSecretToRegions", "RemoveRegionsFromReplication", "StopReplicationToReplica",
		"GetRandomPassword"),
	"ssm": set("PutParameter", "DeleteParameter", "DeleteParameters", "LabelParameterVersion",
		"UnlabelParameterVersion", "DescribeParameters", "GetParameterHistory", "AddTagsToResource",
		"RemoveTagsFromResource"),
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// classify applies the scale rule's classification.
func classify(service, name, eventType string) Kind {
	switch {
	case eventType == "AwsServiceEvent":
		return KindService
	case dataPlane[service][name]:
		return KindData
	case controlPlane[service][name]:
		return KindControl
	default:
		return KindUnknown
	}
}

// IsDataPlane reports whether an operation of a service ("kms", "secretsmanager",
// "ssm") is aggregated when it succeeds.
func IsDataPlane(service, name string) bool { return dataPlane[service][name] }
