#!/bin/sh
# One-shot (compose service temporal-search-attributes): registers every name of
# $SEARCH_ATTRIBUTES as a Keyword on $NAMESPACE. The api and worker start only after this
# finished, so no start request can name an unregistered attribute. Idempotent.
set -eu
existing=$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE")
for name in $SEARCH_ATTRIBUTES; do
  if echo "$existing" | grep -qw "$name"; then
    echo "search attribute $name already registered"
  else
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" --name "$name" --type Keyword
  fi
done
