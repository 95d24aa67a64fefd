package main

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/keyward/keyward/shared/naming"
)

func init() { registerFunction("alarms", newAlarms) }

// contextAlarms configures the alarms function per environment:
//
//	"keyward:alarms": {"prod": {
//	  "schedule": "rate(5 minutes)", "postureSchedule": "cron(0 6 * * ? *)",
//	  "lag": "0s", "renotify": "24h",
//	  "rules": {"decryptSpike": {"operations": ["Decrypt"], "threshold": 10000}}}}
const contextAlarms = "keyward:alarms"

// AlarmsConfig is one environment's alarm settings.
type AlarmsConfig struct {
	Schedule        string          `json:"schedule"`        // default rate(5 minutes)
	PostureSchedule string          `json:"postureSchedule"` // default cron(0 6 * * ? *)
	Lag             string          `json:"lag"`             // Go duration
	Renotify        string          `json:"renotify"`        // Go duration
	Rules           json.RawMessage `json:"rules"`           // rules.Config overrides
}

func alarmsConfig(scope constructs.Construct, env string) AlarmsConfig {
	c := AlarmsConfig{Schedule: "rate(5 minutes)", PostureSchedule: "cron(0 6 * * ? *)"}
	raw := scope.Node().TryGetContext(jsii.String(contextAlarms))
	if raw == nil {
		return c
	}
	b, _ := json.Marshal(raw)
	var byEnv map[string]AlarmsConfig
	if err := json.Unmarshal(b, &byEnv); err != nil {
		panic(fmt.Sprintf("infra: context %s: %v", contextAlarms, err))
	}
	e, ok := byEnv[env]
	if !ok {
		return c
	}
	if e.Schedule == "" {
		e.Schedule = c.Schedule
	}
	if e.PostureSchedule == "" {
		e.PostureSchedule = c.PostureSchedule
	}
	return e
}

// newAlarms is the alarms function with its two EventBridge Scheduler schedules
// (rules every 5 minutes, posture daily), the alarm topic (encrypted with its
// own rotating customer managed key that CloudWatch alarm actions may use, TLS
// only), read-mostly table grants, the posture read grants, a
// dashboard and CloudWatch alarms on its EMF metrics.
func newAlarms(scope constructs.Construct, p *FunctionProps) {
	cfg := alarmsConfig(scope, p.Env.Name)
	// The topic's own customer managed key: CloudWatch alarm actions can only
	// publish to an encrypted topic whose key policy lets cloudwatch.amazonaws.com
	// use the key, which the table key must not allow.
	topicKey := awskms.NewKey(scope, jsii.String("AlarmTopicKey"), &awskms.KeyProps{
		Description:       jsii.String("keyward " + p.Env.Name + ": encrypts the security alarm topic"),
		EnableKeyRotation: jsii.Bool(true),
		PendingWindow:     awscdk.Duration_Days(jsii.Number(float64(p.Env.KeyDeletionWindowDays))),
	})
	topicKey.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmActions"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"), // in a key policy "*" is this key
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": p.Env.Account}},
	}), jsii.Bool(true))
	topic := awssns.NewTopic(scope, jsii.String("AlarmTopic"), &awssns.TopicProps{
		TopicName:   jsii.String(naming.Env(p.Env.Name).AlarmTopic()), // make local provisions the same name
		DisplayName: jsii.String("keyward " + p.Env.Name + " security alarms"),
		MasterKey:   topicKey,
		EnforceSSL:  jsii.Bool(true),
	})
	env := map[string]string{"ACCOUNT_ID": p.Env.Account}
	if cfg.Lag != "" {
		env["ALARM_LAG"] = cfg.Lag
	}
	if cfg.Renotify != "" {
		env["ALARM_RENOTIFY"] = cfg.Renotify
	}
	if len(cfg.Rules) > 0 && string(cfg.Rules) != "null" {
		env["ALARM_RULES_CONFIG"] = string(cfg.Rules)
	}
	fn := newGoFunction(scope, "Alarms", p, goFunctionOptions{
		Name:        "alarms",
		Description: "Security rules over the audit store and daily KMS / Secrets Manager posture checks",
		MemoryMB:    512,
		Timeout:     awscdk.Duration_Minutes(jsii.Number(2)),
		Environment: env,
	})
	fn.AddEnvironment(jsii.String("ALARM_TOPIC_ARN"), topic.TopicArn(), nil)

	// Table: reads by key and index, writes of alarm state and the usage rollup.
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchGetItem",
			"dynamodb:PutItem", "dynamodb:BatchWriteItem"),
		Resources: &[]*string{p.Table.TableArn(), jsii.String(*p.Table.TableArn() + "/index/*")},
	}))
	p.TableKey.Grant(fn, jsii.String("kms:Decrypt"), jsii.String("kms:Encrypt"), jsii.String("kms:GenerateDataKey*"))
	topic.GrantPublish(fn)
	// Posture: list and describe, never use, keys and secrets.
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("kms:ListKeys", "secretsmanager:ListSecrets"),
		Resources: jsii.Strings("*"),
	}))
	fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("kms:DescribeKey", "kms:GetKeyRotationStatus"),
		Resources: jsii.Strings(fmt.Sprintf("arn:aws:kms:%s:%s:key/*", p.Env.Region, p.Env.Account)),
	}))

	invoker := awsiam.NewRole(scope, jsii.String("AlarmsSchedulerRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), nil),
		Description: jsii.String("EventBridge Scheduler invokes the keyward alarms function"),
	})
	invoker.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{ // this function only, no versions
		Actions:   jsii.Strings("lambda:InvokeFunction"),
		Resources: &[]*string{fn.FunctionArn()},
	}))
	schedule := func(id, expr, job string) {
		awsscheduler.NewCfnSchedule(scope, jsii.String(id), &awsscheduler.CfnScheduleProps{
			Description:        jsii.String("keyward " + job + " evaluation"),
			ScheduleExpression: jsii.String(expr),
			FlexibleTimeWindow: &awsscheduler.CfnSchedule_FlexibleTimeWindowProperty{Mode: jsii.String("OFF")},
			Target: &awsscheduler.CfnSchedule_TargetProperty{
				Arn:     fn.FunctionArn(),
				RoleArn: invoker.RoleArn(),
				Input:   jsii.String(`{"job":"` + job + `","scheduledTime":"<aws.scheduler.scheduled-time>"}`),
				RetryPolicy: &awsscheduler.CfnSchedule_RetryPolicyProperty{
					MaximumRetryAttempts: jsii.Number(2), MaximumEventAgeInSeconds: jsii.Number(300),
				},
			},
		})
	}
	schedule("AlarmsSchedule", cfg.Schedule, "alarms")
	schedule("PostureSchedule", cfg.PostureSchedule, "posture")

	// Dashboard and alarms on the EMF metrics.
	metric := func(name string, dims map[string]*string, stat string) awscloudwatch.Metric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("keyward/alarms"), MetricName: jsii.String(name), DimensionsMap: &dims,
			Statistic: jsii.String(stat), Period: awscdk.Duration_Minutes(jsii.Number(5)),
		})
	}
	var bySeverity []awscloudwatch.IMetric
	for _, s := range []string{"critical", "high", "medium", "low"} {
		bySeverity = append(bySeverity, metric("AlarmsInAlarm", map[string]*string{"Severity": jsii.String(s)}, "Sum"))
	}
	evalMs := metric("DurationMs", map[string]*string{"Job": jsii.String("alarms")}, "Maximum")
	dash := awscloudwatch.NewDashboard(scope, jsii.String("AlarmsDashboard"), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String("keyward-" + p.Env.Name + "-alarms"),
	})
	dash.AddWidgets(
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("Alarms in ALARM by severity"), Left: &bySeverity, Width: jsii.Number(12)}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{Title: jsii.String("Evaluation time (ms)"), Left: &[]awscloudwatch.IMetric{evalMs}, Width: jsii.Number(12)}),
	)
	action := awscloudwatchactions.NewSnsAction(topic)
	alarm := func(id, desc string, m awscloudwatch.IMetric, threshold float64) {
		a := awscloudwatch.NewAlarm(scope, jsii.String(id), &awscloudwatch.AlarmProps{
			AlarmDescription:   jsii.String(desc),
			Metric:             m,
			Threshold:          jsii.Number(threshold),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		a.AddAlarmAction(action)
	}
	alarm("CriticalFindingsAlarm", "keyward: a critical security rule is in ALARM", bySeverity[0], 0)
	alarm("NotifyFailuresAlarm", "keyward: alarm notifications failed to publish",
		metric("NotifyFailures", map[string]*string{"Job": jsii.String("alarms")}, "Sum"), 0)
	alarm("AlarmsErrorsAlarm", "keyward: the alarms function failed", fn.MetricErrors(nil), 0)
	alarm("AlarmsSlowAlarm", "keyward: an evaluation took longer than 60 s", evalMs, 60_000)

	cdknag.NagSuppressions_AddResourceSuppressions(fn.Role(), &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("ListKeys/ListSecrets support no resource scope; Describe/GetKeyRotationStatus must reach every key of the account " +
			"(posture); Query needs the table's indexes; GenerateDataKey* on the table key only"),
		AppliesTo: &[]interface{}{"Resource::*", "Action::kms:GenerateDataKey*",
			fmt.Sprintf("Resource::arn:aws:kms:%s:%s:key/*", p.Env.Region, p.Env.Account),
			&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::.*\/index\/\*$/g`)}},
	}}, jsii.Bool(true))
}
