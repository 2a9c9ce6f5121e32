# Thin wrappers over go commands; the README's commands work without make.
.PHONY: run test lint bench crash load

run:
	go run ./cmd/puente serve --demo

test:
	go test ./...

lint:
	gofmt -l $$(git ls-files '*.go') | (! grep .)
	go vet ./...
	go tool staticcheck ./...
	@# govulncheck needs its vulnerability database from the network; run it where that is reachable.
	-go run golang.org/x/vuln/cmd/govulncheck@latest ./...

bench:
	go test -run '^$$' -bench . -benchmem ./...

# Kill -9 the server 30 times while it records cases; ARGS='--db postgres://…' for PostgreSQL.
crash:
	go run ./cmd/crashtest $(ARGS)

# The mixed staff workload at stepped rates against puente serve --demo on
# 127.0.0.1 (see README, "Load"); pass flags with ARGS="--flood" or
# ARGS="--db postgres://puente:puente@127.0.0.1:5432/postgres".
load:
	go run ./cmd/loadtest $(ARGS)
