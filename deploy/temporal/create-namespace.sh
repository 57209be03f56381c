#!/bin/sh
# One-shot (compose service temporal-namespace): waits until the cluster answers SERVING, then
# creates $NAMESPACE with retention $RETENTION, or sets that retention when it exists already.
set -eu
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" | grep -q SERVING; do
  echo "waiting for Temporal at $TEMPORAL_ADDRESS"; sleep 2
done
if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; then
  temporal operator namespace update --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" --retention "$RETENTION"
else
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" --retention "$RETENTION"
fi
echo "namespace $NAMESPACE ready (retention $RETENTION)"
