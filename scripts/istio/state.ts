// Where `npm run istio:up` keeps what `npm run istio:down` needs: pids, logs, kubeconfig, etcd's data.
import { tmpdir } from "node:os";
import { join } from "node:path";

export const UP_STATE_DIR = join(tmpdir(), "hash-tagging-istio");
