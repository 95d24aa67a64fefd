package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/keyward/keyward/shared/table"
)

// newTestApp is an app with the context of the repository's cdk.json, as `cdk
// synth` gives it, plus extra context entries.
func newTestApp(t *testing.T, extra map[string]any) awscdk.App {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &cdkJSON); err != nil {
		t.Fatalf("cdk.json: %v", err)
	}
	ctx := map[string]any{}
	for k, v := range cdkJSON.Context {
		ctx[k] = v
	}
	for k, v := range extra {
		ctx[k] = v
	}
	return awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(t.TempDir())})
}

// fakeAssets writes a stand-in bootstrap for every registered function.
func fakeAssets(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for name := range functionConstructs {
		dir := filepath.Join(root, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// resources returns the template's Resources by logical id.
func resources(t *testing.T, tpl assertions.Template) map[string]map[string]any {
	t.Helper()
	b, err := json.Marshal(tpl.ToJSON())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources map[string]map[string]any `json:"Resources"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Resources
}

func TestStatefulStacks(t *testing.T) {
	app := newTestApp(t, nil)
	stacks, err := newKeyward(app, fakeAssets(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(stacks) != 2 || stacks["dev"] == nil || stacks["prod"] == nil {
		t.Fatalf("stateful stacks for %v, want dev and prod", stacks)
	}
	aliases := map[string]bool{}
	for _, envName := range []string{"dev", "prod"} {
		t.Run(envName, func(t *testing.T) {
			stack := stacks[envName]
			if got := *stack.StackName(); got != "keyward-"+envName+"-stateful" {
				t.Errorf("stack name %s", got)
			}
			if *stack.Account() != "111122223333" || *stack.Region() != "us-east-1" {
				t.Errorf("stack env %s/%s, want the explicit account/region from cdk.json", *stack.Account(), *stack.Region())
			}
			tpl := assertions.Template_FromStack(stack.Stack, nil)
			res := resources(t, tpl)

			// Pinned logical ids: renaming one replaces the table or the key.
			for id, typ := range map[string]string{
				LogicalIDTable:         "AWS::DynamoDB::Table",
				LogicalIDTableKey:      "AWS::KMS::Key",
				LogicalIDTableKeyAlias: "AWS::KMS::Alias",
			} {
				if res[id] == nil || res[id]["Type"] != typ {
					t.Errorf("logical id %s: got %v, want a %s", id, res[id]["Type"], typ)
				}
			}
			tpl.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(1))
			tpl.ResourceCountIs(jsii.String("AWS::KMS::Key"), jsii.Number(1))

			retain := envName == "prod"
			policy := "Delete"
			if retain {
				policy = "Retain"
			}
			for _, id := range []string{LogicalIDTable, LogicalIDTableKey} {
				if got := res[id]["DeletionPolicy"]; got != policy {
					t.Errorf("%s DeletionPolicy = %v, want %s", id, got, policy)
				}
			}

			tpl.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{
				"BillingMode": "PAY_PER_REQUEST",
				"KeySchema": []any{
					map[string]any{"AttributeName": table.AttrPK, "KeyType": "HASH"},
					map[string]any{"AttributeName": table.AttrSK, "KeyType": "RANGE"},
				},
				"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
				"TimeToLiveSpecification":          map[string]any{"AttributeName": table.AttrTTL, "Enabled": true},
				"SSESpecification": map[string]any{
					"SSEEnabled":     true,
					"SSEType":        "KMS",
					"KMSMasterKeyId": map[string]any{"Fn::GetAtt": []any{LogicalIDTableKey, "Arn"}},
				},
				"DeletionProtectionEnabled": retain,
			})
			// Every index of shared/table, in the same shape as local provisioning.
			for _, ix := range table.Indexes {
				tpl.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{
					"GlobalSecondaryIndexes": assertions.Match_ArrayWith(&[]any{map[string]any{
						"IndexName": ix.Name,
						"KeySchema": []any{
							map[string]any{"AttributeName": ix.PartitionKey, "KeyType": "HASH"},
							map[string]any{"AttributeName": ix.SortKey, "KeyType": "RANGE"},
						},
						"Projection": map[string]any{"ProjectionType": "ALL"},
					}}),
				})
			}

			tpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{
				"EnableKeyRotation": true,
				"KeySpec":           assertions.Match_Absent(), // symmetric default
			})
			keyPolicy, _ := json.Marshal(res[LogicalIDTableKey]["Properties"].(map[string]any)["KeyPolicy"])
			if strings.Contains(string(keyPolicy), `"kms:*"`) {
				t.Errorf("key policy grants kms:*: %s", keyPolicy)
			}
			for _, sid := range []string{"KeyAdministrationThroughIAM", "KeyUseThroughIAM"} {
				if !strings.Contains(string(keyPolicy), sid) {
					t.Errorf("key policy lacks statement %s: %s", sid, keyPolicy)
				}
			}
			alias := "alias/keyward-" + envName + "-table"
			tpl.HasResourceProperties(jsii.String("AWS::KMS::Alias"), map[string]any{
				"AliasName":   alias,
				"TargetKeyId": map[string]any{"Fn::GetAtt": []any{LogicalIDTableKey, "Arn"}},
			})
			aliases[alias] = true

			assertNagClean(t, stack.Stack)
		})
	}
	if len(aliases) != 2 {
		t.Errorf("environments share a key alias: %v", aliases)
	}
}

// assertNagClean fails on any unsuppressed cdk-nag AwsSolutions error or warning.
func assertNagClean(t *testing.T, stack awscdk.Stack) {
	t.Helper()
	ann := assertions.Annotations_FromStack(stack)
	match := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
	for _, f := range *ann.FindError(jsii.String("*"), match) {
		t.Errorf("cdk-nag error at %s: %v", *f.Id, f.Entry.Data)
	}
	for _, f := range *ann.FindWarning(jsii.String("*"), match) {
		t.Errorf("cdk-nag warning at %s: %v", *f.Id, f.Entry.Data)
	}
}

func TestOnlyOneEnvironment(t *testing.T) {
	app := newTestApp(t, map[string]any{contextOnly: "dev"})
	stacks, err := newKeyward(app, fakeAssets(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(stacks) != 1 || stacks["dev"] == nil {
		t.Errorf("with %s=dev got stacks %v", contextOnly, stacks)
	}
	if _, err := newKeyward(newTestApp(t, map[string]any{contextOnly: "qa"}), ""); err == nil {
		t.Error("an unknown environment was accepted")
	}
}

func TestEnvironmentValidation(t *testing.T) {
	good := Environment{Name: "dev", Account: "111122223333", Region: "eu-west-1", KeyDeletionWindowDays: 7}
	tests := []struct {
		name string
		edit func(*Environment)
		ok   bool
	}{
		{"good", func(*Environment) {}, true},
		{"gov region", func(e *Environment) { e.Region = "us-gov-west-1" }, true},
		{"upper-case name", func(e *Environment) { e.Name = "Prod" }, false},
		{"short account", func(e *Environment) { e.Account = "1234" }, false},
		{"placeholder account", func(e *Environment) { e.Account = "ACCOUNT" }, false},
		{"bad region", func(e *Environment) { e.Region = "useast1" }, false},
		{"window too short", func(e *Environment) { e.KeyDeletionWindowDays = 6 }, false},
		{"window too long", func(e *Environment) { e.KeyDeletionWindowDays = 31 }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := good
			tt.edit(&e)
			if err := e.validate(); (err == nil) != tt.ok {
				t.Errorf("validate(%+v) = %v, want ok=%v", e, err, tt.ok)
			}
		})
	}
}
