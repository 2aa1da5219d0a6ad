# The README's commands. `make test` is what CI runs.
export GOTOOLCHAIN := local

.PHONY: test tools crash bench bench-risk bench-risk-rules bench-web bench-handover bench-cases bench-kpis bench-events scale dev

test: tools
	go test -count=1 ./...

# Only the crash and outage tests (README "Crash and outage tests"); RECOUP_CRASH_BATCH=200 for a quicker run.
crash:
	go test -count=1 ./integration/ -run 'TestKilled|Outage|TestPostgresRestart' -v -timeout 20m

# docker-compose (Debian's package) validates docker-compose.yml without a Docker engine in the deploy tests.
tools:
	@scripts/ensure-tools

# The import benchmark at full size: 1,000,000 invoices for 100,000 customers.
bench:
	go test ./importer/ -run '^$$' -bench ImportInvoices -benchtime 1x -timeout 60m

# Risk signals in: 100,000 observations by import and by webhook against a
# plain COPY (RECOUP_BENCH_RISK=10000 for a quick one).
bench-risk:
	go test ./app/ -run '^$$' -bench RiskIngest -benchtime 1x -timeout 60m

# The web pages and JSON lists at 100,000 customers and 1,000,000 invoices, measured with hey
# (Debian's package, in its own process) against a bare handler; RECOUP_BENCH_CUSTOMERS=2000 for a quick run.
bench-web:
	@command -v hey >/dev/null || apt-get install -y hey
	go test ./web/browser/ -run '^$$' -bench Pages -benchtime 1x -timeout 90m

# The handover of an agent with 20,000 accounts on the embedded Temporal server, against the same server's
# bare update rate (3 rounds, medians); RECOUP_BENCH_HANDOVER_ACCOUNTS=2000 for a quicker run.
bench-handover:
	RECOUP_BENCH_HANDOVER_ACCOUNTS=$${RECOUP_BENCH_HANDOVER_ACCOUNTS:-20000} RECOUP_BENCH_HANDOVER_ROUNDS=$${RECOUP_BENCH_HANDOVER_ROUNDS:-3} \
		go test ./integration/ -run '^$$' -bench Handover -benchtime 1x -timeout 4h

# 10,000 disputes opened through the HTTP API on the embedded Temporal server, against the same server's
# bare workflow starts (3 rounds, medians); RECOUP_BENCH_CASES=1000 for a quicker run.
bench-cases:
	RECOUP_BENCH_CASES=$${RECOUP_BENCH_CASES:-10000} RECOUP_BENCH_CASES_ROUNDS=$${RECOUP_BENCH_CASES_ROUNDS:-3} \
		go test ./integration/ -run '^$$' -bench Cases -benchtime 1x -timeout 4h

# The collection figures (aging, DSO, top overdue, disputes, promises) on the web benchmark's book with a year
# of history, 1,000,000 invoices, against one sequential scan of the invoices in the same run (A B A B, medians);
# RECOUP_BENCH_INVOICES=20000 for a quick run, RECOUP_BENCH_DATABASE_URL to keep the book between runs.
bench-kpis:
	go test ./app/ -run '^$$' -bench KPIs -benchtime 1x -timeout 60m

# Webhooks: 100,000 events delivered by the Webhook workflow against a bare loop of POSTs of the same bodies;
# the outbox's cost on an import of 100,000 invoices (with and without its triggers, alternating).
# RECOUP_BENCH_WEBHOOK_EVENTS=10000 RECOUP_BENCH_EVENTS_IMPORT=20000 for a quick run.
bench-events:
	RECOUP_BENCH_EVENTS_IMPORT=$${RECOUP_BENCH_EVENTS_IMPORT:-100000} RECOUP_BENCH_EVENTS_ROUNDS=$${RECOUP_BENCH_EVENTS_ROUNDS:-5} \
		go test ./importer/ -run '^$$' -bench ImportEventsOverhead -benchtime 1x -timeout 2h
	RECOUP_BENCH_WEBHOOK_EVENTS=$${RECOUP_BENCH_WEBHOOK_EVENTS:-100000} RECOUP_BENCH_WEBHOOK_ROUNDS=$${RECOUP_BENCH_WEBHOOK_ROUNDS:-3} \
		go test ./integration/ -run '^$$' -bench WebhookDelivery -benchtime 1x -timeout 4h
	RECOUP_BENCH_IDLE_ROUNDS=$${RECOUP_BENCH_IDLE_ROUNDS:-9} RECOUP_BENCH_IDLE_WINDOW=$${RECOUP_BENCH_IDLE_WINDOW:-185} \
		go test ./integration/ -run '^$$' -bench WebhookIdleLatency -benchtime 1x -timeout 30m

# Risk rules: 100,000 signals over 10,000 customers evaluated with 4 rules per entity, against the bare claim-and-mark
# loop and the evaluation with the rules inactive, in the same run (alternating, medians);
# RECOUP_BENCH_RISK_SIGNALS=20000 for a quick run.
bench-risk-rules:
	RECOUP_BENCH_RISK_SIGNALS=$${RECOUP_BENCH_RISK_SIGNALS:-100000} RECOUP_BENCH_RISK_ROUNDS=$${RECOUP_BENCH_RISK_ROUNDS:-5} \
		go test ./app/ -run '^$$' -bench RiskRules -benchtime 1x -timeout 2h

# The scale run (README "Scale run"): 100,000 accounts and 1,000,000 invoices imported, woken and evaluated on the
# embedded Temporal server and a real `recoup worker`, each in a process of its own; RECOUP_SCALE_ACCOUNTS=20000 for a shorter run.
scale:
	RECOUP_SCALE_ACCOUNTS=$${RECOUP_SCALE_ACCOUNTS:-100000} go test ./integration/ -run '^$$' -bench Scale -benchtime 1x -timeout 6h

dev:
	go run ./cmd/recoup dev
