"""A read-only stand-in for a Kubernetes API server, enough for `helm template --dry-run=server`.

`lookup` only answers from a cluster, and Helm only asks one with --dry-run=server: this serves Helm (over
plain HTTP on 127.0.0.1) the discovery documents for the kinds the chart renders, /version, and GETs of the
objects of a YAML stream (everything else is a 404 NotFound, as an empty cluster answers). Nothing is ever
written; Helm never tries to in a dry run.

    with FakeAPIServer(kube_version="v1.30.0") as api:
        api.objects = yaml_documents              # what `lookup` finds, may change between renders
        subprocess.run([helm, "template", ..., "--dry-run=server", "--kubeconfig", api.kubeconfig])
"""

import json
import os
import re
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# group/version -> [(kind, plural, namespaced)]: the kinds the chart can render and the ones tests look up.
RESOURCES = {
    "v1": [("ConfigMap", "configmaps", True), ("Secret", "secrets", True), ("Service", "services", True),
           ("ServiceAccount", "serviceaccounts", True), ("Namespace", "namespaces", False)],
    "apps/v1": [("Deployment", "deployments", True)],
    "policy/v1": [("PodDisruptionBudget", "poddisruptionbudgets", True)],
    "autoscaling/v2": [("HorizontalPodAutoscaler", "horizontalpodautoscalers", True)],
    "networking.k8s.io/v1": [("Ingress", "ingresses", True), ("NetworkPolicy", "networkpolicies", True)],
    "rbac.authorization.k8s.io/v1": [("ClusterRole", "clusterroles", False),
                                     ("ClusterRoleBinding", "clusterrolebindings", False),
                                     ("Role", "roles", True), ("RoleBinding", "rolebindings", True)],
    "traefik.io/v1alpha1": [("Middleware", "middlewares", True), ("IngressRoute", "ingressroutes", True)],
    "monitoring.coreos.com/v1": [("ServiceMonitor", "servicemonitors", True)],
}
VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"]

OBJECT_PATH = re.compile(r"^/apis?/(?P<gv>(?:[^/]+/)?v[^/]+)(?:/namespaces/(?P<ns>[^/]+))?/(?P<res>[^/]+)/(?P<name>[^/]+)$")


def _resource_list(gv):
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
            "resources": [{"name": plural, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind,
                           "verbs": VERBS} for kind, plural, namespaced in RESOURCES[gv]]}


def _group_list():
    groups = {}
    for gv in RESOURCES:
        if "/" in gv:
            group, version = gv.split("/")
            groups.setdefault(group, []).append({"groupVersion": gv, "version": version})
    return {"kind": "APIGroupList", "apiVersion": "v1",
            "groups": [{"name": g, "versions": vs, "preferredVersion": vs[0]} for g, vs in groups.items()]}


class _Server(ThreadingHTTPServer):
    # client-go fetches discovery documents in parallel: a backlog of 5 drops connections (1 s SYN retry).
    request_queue_size = 128
    daemon_threads = True


class FakeAPIServer:
    def __init__(self, kube_version="v1.30.0"):
        self.kube_version = kube_version
        self.objects = []
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def send_json(self, code, body):
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = self.path.split("?", 1)[0].rstrip("/")
                outer.requests.append(path)
                major, minor = outer.kube_version.lstrip("v").split(".")[:2]
                if path == "/version":
                    return self.send_json(200, {"major": major, "minor": minor, "gitVersion": outer.kube_version,
                                                "platform": "linux/amd64"})
                if path == "/api":
                    return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"],
                                                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
                if path == "/apis":
                    return self.send_json(200, _group_list())
                gv = path[len("/api/"):] if path.startswith("/api/") else path[len("/apis/"):]
                if gv in RESOURCES:
                    return self.send_json(200, _resource_list(gv))
                m = OBJECT_PATH.match(path)
                if m:
                    kind = next((k for k, plural, _ in RESOURCES.get(m["gv"], []) if plural == m["res"]), None)
                    for o in outer.objects:
                        meta = o.get("metadata") or {}
                        if o.get("apiVersion") == m["gv"] and o.get("kind") == kind and meta.get("name") == m["name"] \
                                and meta.get("namespace") == m["ns"]:
                            return self.send_json(200, o)
                    return self.send_json(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 404,
                                                "reason": "NotFound", "message": f'{m["res"]} "{m["name"]}" not found',
                                                "details": {"name": m["name"], "kind": m["res"]}})
                return self.send_json(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 404,
                                            "reason": "NotFound", "message": "the server could not find the requested resource"})

            def do_POST(self):
                outer.requests.append(f"{self.command} {self.path}")
                self.send_json(405, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 405,
                                     "reason": "MethodNotAllowed", "message": "read-only fake API server"})

            do_PUT = do_PATCH = do_DELETE = do_POST

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._tmp = tempfile.TemporaryDirectory()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.kubeconfig = os.path.join(self._tmp.name, "kubeconfig")
        self.cache_dir = os.path.join(self._tmp.name, "cache")
        with open(self.kubeconfig, "w") as f:
            json.dump({"apiVersion": "v1", "kind": "Config", "current-context": "fake",
                       "clusters": [{"name": "fake", "cluster": {"server": self.url}}],
                       "users": [{"name": "fake", "user": {}}],
                       "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}]}, f)
        os.chmod(self.kubeconfig, 0o600)

    def env(self):
        """Environment for a helm process that talks to this server (discovery cache kept in its temp dir)."""
        return {"KUBECONFIG": self.kubeconfig, "KUBECACHEDIR": self.cache_dir}

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._tmp.cleanup()
