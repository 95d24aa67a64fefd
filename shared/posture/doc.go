// Package posture holds keyward's daily posture checks: it reads Secrets Manager
// and KMS (ListSecrets, ListKeys, DescribeKey, GetKeyRotationStatus) and returns
// one rules.Finding per check and resource — ALARM where a control fails, OK
// where it passes — so the alarms function keeps their state like any other
// rule:
//
//	rotation-disabled      SecretsManager.1  automatic rotation is off
//	rotation-overdue       SecretsManager.4  last rotation older than the schedule + grace
//	secret-unused          SecretsManager.3  not accessed for 90 days
//	key-rotation-disabled  KMS.4             customer managed symmetric key without rotation
//	key-pending-deletion   KMS.3             key scheduled for deletion
package posture
