# The README's commands. `make test` is what CI runs.
export GOTOOLCHAIN := local

.PHONY: test tools bench dev

test: tools
	go test -count=1 ./...

# docker-compose (Debian's package) validates docker-compose.yml without a Docker engine in the deploy tests.
tools:
	@scripts/ensure-tools

# The import benchmark at full size: 1,000,000 invoices for 100,000 customers.
bench:
	go test ./importer/ -run '^$$' -bench ImportInvoices -benchtime 1x -timeout 60m

dev:
	go run ./cmd/recoup dev
