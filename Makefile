# keyward — one Makefile for tools, builds, tests, the local stack and deploys.
# `make help` lists the targets. Everything downloaded lands in git-ignored folders
# (infra/node_modules, localstack/node_modules, localstack/.tools, .build).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

# jsii (the Go CDK's runtime, in `go test ./infra` and `cdk synth`) and the cdk CLI
# run on the pinned Node 22 from infra/node_modules, not on whatever the machine
# has: JSII_NODE for jsii, and infra/node_modules/.bin first on PATH for the CDK
# commands. Other tests keep the machine's `node`.
NODE_BIN := $(CURDIR)/infra/node_modules/.bin
export JSII_NODE := $(NODE_BIN)/node
CDK      := PATH="$(NODE_BIN):$$PATH" $(NODE_BIN)/cdk
CDKLOCAL := PATH="$(NODE_BIN):$$PATH" NODE_PATH=$(CURDIR)/infra/node_modules localstack/node_modules/.bin/cdklocal
export CDK_DISABLE_CLI_TELEMETRY := true
export CDK_DISABLE_VERSION_CHECK := true

BUILD      := .build
FUNCTIONS  := $(sort $(patsubst functions/%/main.go,%,$(wildcard functions/*/main.go)))
BOOTSTRAPS := $(FUNCTIONS:%=$(BUILD)/%/bootstrap)
TOOLS_BIN  := $(BUILD)/tools

DDB_DIR     := localstack/.tools/dynamodb
DDB_STAMP   := $(DDB_DIR)/.keyward-package
INFRA_STAMP := infra/node_modules/.keyward-installed
LOCAL_STAMP := localstack/node_modules/.keyward-installed
ENVELOPE_STAMP := shared/envelope/interop/node_modules/.keyward-installed

GO_TEST_FLAGS ?= -p 2 -timeout 20m
BENCHTIME     ?= 1s
BENCHSTAT     := golang.org/x/perf/cmd/benchstat@v0.0.0-20250813145418-2f7363a06fe1

ENV        ?= dev
LOCAL_DIR  := $(BUILD)/local
LOCAL_PID  := $(LOCAL_DIR)/local.pid
LOCAL_LOG  := $(LOCAL_DIR)/local.log
LOCAL_ADDR ?= 127.0.0.1:4566
# The Docker-free endpoint (issue 3) once it exists; until then DynamoDB Local alone.
ENDPOINT_PKG := $(firstword $(patsubst %/main.go,./%,$(wildcard localstack/cmd/endpoint/main.go localstack/cmd/keyward-local/main.go localstack/cmd/local/main.go)))

.PHONY: help tools tools-check build synth diff deploy deploy-local invoke test vet bench \
        local local-up local-down demo clean FORCE

help: ## list the targets
	@echo "keyward — make targets (first run: make tools, or any target that needs it)"
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'
	@echo "  variables: FN=<function> EVENT=<file> (invoke), ENV=dev|prod (deploy, diff), BENCHTIME=1s"

# ---------------------------------------------------------------------------- tools

tools: tools-check $(INFRA_STAMP) $(LOCAL_STAMP) $(DDB_STAMP) $(ENVELOPE_STAMP) ## install pinned tools (idempotent, offline once cached)
	@echo "tools: ready — go $$(go env GOVERSION), java $$(java -version 2>&1 | awk -F'"' '/version/{print $$2; exit}'), node $$(infra/node_modules/.bin/node --version) (infra/node_modules), cdk $$($(CDK) --version 2>/dev/null | awk '{print $$1}'), DynamoDB Local in $(DDB_DIR)"

tools-check:
	@command -v go >/dev/null || { echo "Go not found: install Go 1.26 from https://go.dev/dl and put it on PATH" >&2; exit 1; }
	@v=$$(go env GOVERSION | sed 's/^go//'); case "$$v" in 1.2[6-9]*|1.[3-9]*) ;; *) echo "Go $$v is too old: keyward needs Go 1.26 (go.mod)" >&2; exit 1;; esac
	@command -v java >/dev/null || { echo "Java 17 not found: apt-get install openjdk-17-jre-headless" >&2; exit 1; }
	@v=$$(java -version 2>&1 | awk -F'"' '/version/{split($$2,a,"."); print a[1]; exit}'); [ "$${v:-0}" -ge 17 ] 2>/dev/null || { echo "Java 17 not found (have $${v:-none}): apt-get install openjdk-17-jre-headless" >&2; exit 1; }
	@command -v npm >/dev/null || { echo "npm not found: apt-get install nodejs npm (any Node >= 18; make tools installs Node 22 for the CDK)" >&2; exit 1; }

# aws-cdk ships Go init templates; a go.mod keeps node_modules out of ./... patterns.
go-ignore = printf 'module ignore\n\n// Written by make tools: keeps npm packages out of go ./...\n' > $(1)/go.mod

$(INFRA_STAMP): infra/package.json infra/package-lock.json
	@echo "tools: npm ci in infra/ (aws-cdk CLI, Node 22 for jsii)"
	@cd infra && npm ci --no-audit --no-fund --prefer-offline --loglevel=error
	@infra/node_modules/.bin/node --version | grep -q '^v22\.' || { echo "tools: infra/node_modules/.bin/node is not Node 22" >&2; exit 1; }
	@$(call go-ignore,infra/node_modules)
	@touch $@

$(ENVELOPE_STAMP): shared/envelope/interop/package.json shared/envelope/interop/package-lock.json
	@echo "tools: npm ci in shared/envelope/interop (@aws-crypto/client-node for the envelope interop tests)"
	@cd shared/envelope/interop && npm ci --no-audit --no-fund --prefer-offline --loglevel=error
	@$(call go-ignore,shared/envelope/interop/node_modules)
	@touch $@

$(LOCAL_STAMP): localstack/package.json localstack/package-lock.json
	@echo "tools: npm ci in localstack/ (aws-cdk-local)"
	@cd localstack && npm ci --no-audit --no-fund --prefer-offline --loglevel=error
	@$(call go-ignore,localstack/node_modules)
	@touch $@

# DynamoDB Local: only the emulator/ folder of the pinned amplify-dynamodb-simulator,
# fetched with `npm pack` (none of its dependencies) and checked against the integrity
# recorded in localstack/package.json.
$(DDB_STAMP): localstack/package.json
	@pkg=$$(node -p "const c=require('./localstack/package.json').config.dynamodbLocal; c.package+'@'+c.version"); \
	 want=$$(node -p "require('./localstack/package.json').config.dynamodbLocal.integrity"); \
	 echo "tools: DynamoDB Local from $$pkg (emulator/ only) into $(DDB_DIR)"; \
	 tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	 (cd "$$tmp" && npm pack "$$pkg" --prefer-offline --silent >/dev/null); \
	 tgz=$$(ls "$$tmp"/*.tgz); \
	 got="sha512-$$(openssl dgst -sha512 -binary "$$tgz" | base64 -w0)"; \
	 [ "$$got" = "$$want" ] || { echo "tools: $$pkg integrity mismatch: got $$got, want $$want" >&2; exit 1; }; \
	 rm -rf $(DDB_DIR) && mkdir -p $(DDB_DIR); \
	 tar -xzf "$$tgz" -C $(DDB_DIR) --strip-components=2 package/emulator; \
	 [ -f $(DDB_DIR)/DynamoDBLocal.jar ] || { echo "tools: $$pkg has no emulator/DynamoDBLocal.jar" >&2; exit 1; }; \
	 echo "$$pkg $$want" > $@

# ---------------------------------------------------------------------------- build

build: $(BOOTSTRAPS) ## build every function as bootstrap (linux/arm64) into .build/<fn>/
	@for f in $(BOOTSTRAPS); do printf '  %-28s %6d KiB\n' "$$f" $$(( $$(stat -c %s "$$f") / 1024 )); done

# Go decides what is stale; FORCE hands it every build.
$(BUILD)/%/bootstrap: FORCE
	@GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags "-s -w" -o $@ ./functions/$*

$(TOOLS_BIN)/%: FORCE
	@go build -o $@ ./localstack/cmd/$*

FORCE:

# ---------------------------------------------------------------------------- CDK

synth: tools build ## cdk synth offline into .build/cdk.out (all environments)
	@$(CDK) synth --quiet --no-notices
	@ls -1 $(BUILD)/cdk.out/*.template.json | sed 's/^/  wrote /'

diff: tools build ## cdk diff against the account (ENV=dev|prod; needs AWS credentials)
	$(CDK) diff --no-notices 'keyward-$(ENV)-*'

deploy: tools build ## cdk deploy ENV=dev|prod (first time per account/region: cdk bootstrap)
	@echo "deploy: environment $(ENV); the account/region come from cdk.json context keyward:environments.$(ENV)."
	@echo "deploy: first deploy to an account/region needs: cdk bootstrap aws://ACCOUNT/REGION"
	$(CDK) deploy --no-notices --require-approval broadening 'keyward-$(ENV)-*'

deploy-local: tools build ## cdklocal deploy to LocalStack 4.14.0 on localhost:4566 (needs Docker, see README)
	$(CDKLOCAL) bootstrap --no-notices aws://111122223333/us-east-1
	$(CDKLOCAL) deploy --no-notices --require-approval never 'keyward-$(ENV)-*'

# ---------------------------------------------------------------------------- run

invoke: $(TOOLS_BIN)/invoke ## sam-style local invoke: make invoke FN=keyops EVENT=events/<file>.json
	@$(TOOLS_BIN)/invoke -fn '$(FN)' -event '$(EVENT)'

local-up: tools $(TOOLS_BIN)/provision ## start the local AWS endpoint on 127.0.0.1:4566 in the background, provision the table
	@mkdir -p $(LOCAL_DIR)
	@if [ -f $(LOCAL_PID) ] && kill -0 $$(cat $(LOCAL_PID)) 2>/dev/null; then echo "local: already running (pid $$(cat $(LOCAL_PID)), log $(LOCAL_LOG))"; exit 0; fi; \
	 if [ -n "$(ENDPOINT_PKG)" ]; then \
	   go build -o $(TOOLS_BIN)/endpoint $(ENDPOINT_PKG); \
	   echo "local: starting the keyward endpoint ($(ENDPOINT_PKG)) on $(LOCAL_ADDR)"; \
	   nohup $(TOOLS_BIN)/endpoint -addr $(LOCAL_ADDR) >$(LOCAL_LOG) 2>&1 & echo $$! >$(LOCAL_PID); \
	   $(TOOLS_BIN)/provision -endpoint http://$(LOCAL_ADDR) || { $(MAKE) local-down; echo "local: see $(LOCAL_LOG)" >&2; exit 1; }; \
	 else \
	   echo "local: the keyward endpoint is not built yet (issue 3): DynamoDB Local alone on $(LOCAL_ADDR)"; \
	   nohup $(TOOLS_BIN)/provision -serve-dynamodb-local $(LOCAL_ADDR) >$(LOCAL_LOG) 2>&1 & echo $$! >$(LOCAL_PID); \
	   $(TOOLS_BIN)/provision -endpoint http://$(LOCAL_ADDR) -quiet || { $(MAKE) local-down; echo "local: see $(LOCAL_LOG)" >&2; exit 1; }; \
	 fi; \
	 echo "local: up (pid $$(cat $(LOCAL_PID)), log $(LOCAL_LOG)); export AWS_ENDPOINT_URL=http://$(LOCAL_ADDR) AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test"

local-down: ## stop what local-up started
	@if [ ! -f $(LOCAL_PID) ]; then echo "local: not running"; exit 0; fi; \
	 pid=$$(cat $(LOCAL_PID)); \
	 if kill -0 $$pid 2>/dev/null; then \
	   kill -TERM $$pid; for i in $$(seq 50); do kill -0 $$pid 2>/dev/null || break; sleep 0.2; done; \
	   kill -0 $$pid 2>/dev/null && kill -KILL $$pid || true; \
	 fi; rm -f $(LOCAL_PID); echo "local: stopped (pid $$pid)"

local: tools $(TOOLS_BIN)/local ## the whole stack in the foreground: endpoint :4566, keyops API :8080, the four bootstraps; Ctrl-C stops it
	@mkdir -p $(LOCAL_DIR)
	@$(TOOLS_BIN)/local -addr $(LOCAL_ADDR) -bin $(LOCAL_DIR)/bin -function-logs $(LOCAL_DIR)/functions.log $(LOCAL_FLAGS)

demo: $(TOOLS_BIN)/demo ## walk the story against a running make local (key → alarm → rotation → audit)
	@$(TOOLS_BIN)/demo -endpoint http://$(LOCAL_ADDR) $(DEMO_FLAGS)

# ---------------------------------------------------------------------------- checks

vet: ## go vet ./...
	go vet ./...

test: tools vet ## everything CI checks: go vet, unit + integration + template tests
	go test $(GO_TEST_FLAGS) ./...

bench: tools ## benchmarks of every package that has some, -count=6, benchstat table
	@mkdir -p $(BUILD)
	@pkgs=$$(grep -rlE --include='*_test.go' '^func Benchmark' functions shared localstack infra 2>/dev/null | xargs -r -n1 dirname | sort -u | sed 's|^|./|'); \
	 [ -n "$$pkgs" ] || { echo "bench: no benchmarks yet"; exit 0; }; \
	 status=0; go test -p 1 -timeout 60m -run '^$$' -bench . -benchmem -count=6 -benchtime=$(BENCHTIME) $$pkgs >$(BUILD)/bench.txt 2>&1 || status=$$?; \
	 go run $(BENCHSTAT) $(BUILD)/bench.txt 2>/dev/null || { echo "bench: benchstat unavailable, raw results:"; cat $(BUILD)/bench.txt; }; \
	 [ $$status -eq 0 ] || { grep -E '^(FAIL|--- FAIL|panic:|# |vet: )' $(BUILD)/bench.txt >&2; echo "bench: some packages failed (raw output: $(BUILD)/bench.txt)" >&2; exit $$status; }

clean: ## remove build output (keeps installed tools)
	rm -rf $(BUILD)

# ---------------------------------------------------------------------------- envelope vectors
MANIFEST ?= shared/envelope/testdata/vectors/manifest.json
.PHONY: vectors
vectors: ## decrypt every test of an awses-decrypt manifest: make vectors MANIFEST=path/to/manifest.json
	go run ./shared/envelope/cmd/vectors $(MANIFEST)
