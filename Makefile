# The README's commands. `make test` is what CI runs.
export GOTOOLCHAIN := local

.PHONY: test tools bench bench-web dev

test: tools
	go test -count=1 ./...

# docker-compose (Debian's package) validates docker-compose.yml without a Docker engine in the deploy tests.
tools:
	@scripts/ensure-tools

# The import benchmark at full size: 1,000,000 invoices for 100,000 customers.
bench:
	go test ./importer/ -run '^$$' -bench ImportInvoices -benchtime 1x -timeout 60m

# The web pages and JSON lists at 100,000 customers and 1,000,000 invoices, measured with hey
# (Debian's package, in its own process) against a bare handler; RECOUP_BENCH_CUSTOMERS=2000 for a quick run.
bench-web:
	@command -v hey >/dev/null || apt-get install -y hey
	go test ./web/browser/ -run '^$$' -bench Pages -benchtime 1x -timeout 90m

dev:
	go run ./cmd/recoup dev
