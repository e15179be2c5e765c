.PHONY: serve test release deps

deps:
	@scripts/install-deps

serve: deps
	swift run -c release autograd-server

test: deps
	swift test

release: deps
	swift build -c release --static-swift-stdlib --product autograd-server
