# syntax=docker/dockerfile:1
# weiyin in a container: a Go build stage with cgo (gojieba is C++), and a small Debian
# runtime stage with no Go toolchain. Build and smoke-test it with tools/docker-smoke.sh.
#
#   docker build --build-arg COMMIT=$(git rev-parse HEAD) -t weiyin .
#   docker run -p 127.0.0.1:8080:8080 -v weiyin:/var/lib/weiyin weiyin

FROM golang:1.26-bookworm AS build
# gcc and g++ for cgo come with the image; the module cache is a build cache mount.
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# The build context has no .git, so the commit comes in as an argument (weiyin version).
ARG COMMIT=""
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=1 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.buildCommit=${COMMIT}" -o /out/weiyin ./cmd/weiyin

FROM debian:bookworm-slim
# libstdc++ (for gojieba) is part of the slim image; ca-certificates for the WeChat API over HTTPS.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --create-home --home-dir /var/lib/weiyin weiyin
COPY --from=build /out/weiyin /usr/local/bin/weiyin
USER weiyin
WORKDIR /var/lib/weiyin
# In a container the server must listen on all of the container's interfaces; publish the
# port on the host's loopback (-p 127.0.0.1:8080:8080) or behind the TLS proxy.
# XDG_CACHE_HOME: where the tokeniser writes its embedded dictionaries.
ENV WEIYIN_ADDR=:8080 \
    WEIYIN_DATA=/var/lib/weiyin/data \
    XDG_CACHE_HOME=/var/lib/weiyin/.cache
VOLUME /var/lib/weiyin
EXPOSE 8080
ENTRYPOINT ["weiyin"]
CMD ["serve"]
