# `make test` is the project's test command: what CI runs.
.PHONY: test vet unit fuzz run bench

test: vet unit fuzz

vet:
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	go vet ./...

unit:
	go test -race ./...

fuzz:
	scripts/fuzz

run:
	go run ./cmd/hookpoint serve

# The performance benchmark (see bench/README.md); not part of `make test`.
bench:
	bench/run.sh
