.PHONY: serve test release deps walkthrough openapi

# Options for `make serve`, e.g. make serve ARGS="--port 9000 --log-level debug".
ARGS ?=

deps:
	@scripts/install-deps

# The release binary (the same command as the Dockerfile's), started with its embedded defaults.
serve: release
	.build/release/autograd-server serve $(ARGS)

test: deps
	swift test --no-parallel

release: deps
	swift build -c release --static-swift-stdlib --product autograd-server

# Replays the README's walkthrough against a running server: make walkthrough BASE=http://127.0.0.1:8080
BASE ?= http://127.0.0.1:8080
walkthrough:
	scripts/walkthrough.sh $(BASE)

# After editing openapi.yaml: validate it (and its examples), and regenerate the copy the server embeds.
openapi:
	scripts/check-openapi.py
	scripts/embed-openapi.sh
