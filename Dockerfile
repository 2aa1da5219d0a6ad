# Recoup: one static binary, `recoup`, run as `recoup api` or `recoup worker`
# (and `recoup migrate` once per release). docker-compose.yml runs all three.
#
# Builds with the classic builder and BuildKit alike (no RUN --mount), so the
# docker-compose 1.29 that Debian ships can build it.

# ---- build ------------------------------------------------------------------
FROM golang:1.26.8-bookworm AS build

ENV GOTOOLCHAIN=local \
    CGO_ENABLED=0 \
    GOFLAGS=-mod=readonly

WORKDIR /src

# Modules first, as their own layer: it is rebuilt only when go.mod or go.sum
# change, not on every source edit.
COPY go.mod go.sum ./
RUN go mod download && go mod verify

COPY . .
RUN go build -trimpath -ldflags="-s -w" -o /out/recoup ./cmd/recoup

# ---- runtime ----------------------------------------------------------------
# distroless/static: no shell, no package manager; CA certificates (for
# Twilio and SMTP over TLS) and tzdata are included. Its default user is
# nonroot (uid 65532).
FROM gcr.io/distroless/static-debian12:nonroot

COPY --from=build /out/recoup /recoup

USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/recoup"]
