# kube4c's image: a static binary on distroless, running as non-root.
#   docker build -t ghcr.io/kube4c/kube4c:dev .
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags=-s -o /kube4c ./cmd/kube4c

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /kube4c /kube4c
USER 65532:65532
ENTRYPOINT ["/kube4c"]
