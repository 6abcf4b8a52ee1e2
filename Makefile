# The targets people expect. `make test` is the README's test command.
.PHONY: run test lint bench web build ci screenshots

run:
	go run ./cmd/parley serve

build:
	CGO_ENABLED=0 go build -ldflags "-X github.com/parleyhq/parley.Version=$$(git describe --always --dirty 2>/dev/null || echo dev)" -o bin/parley ./cmd/parley

test:
	go test -race ./...

lint:
	gofmt -l $$(git ls-files '*.go')
	go vet ./...
	staticcheck ./...

bench:
	go test -run '^$$' -bench . -benchtime 2s ./store/ ./bus/ ./auth/

web:
	cd web && npm ci && npm run build
	cd channel/widget/ui && npm ci && npm run build

# Refresh the committed screenshots from the browser tests.
screenshots:
	PARLEY_SCREENSHOTS=docs go test -count=1 ./e2e/ ./channel/widget/

ci:
	bash .ci/run
