#!/usr/bin/env python3
"""Make the spec variants the binding tests read, from base.json (the vendored spec in our own
names, frozen: `cargo xtask update-spec` replaces openapi/playflow.json with the live one).

Run once from the repository root when base.json changes:
    python3 crates/playflow-codegen/tests/data/make_variants.py

- renamed-*.json: the same wire, PlayFlow's names instead of ours: every operationId and
  component name changed, some operationIds removed, some components inlined at every use,
  path parameters renamed. The binding must make the generated layer identical.
- additive.json: a new optional response field, a new enum value, a new operation, a new
  optional request field.
- breaking.json: a response field the facade reads removed, an operation the facade calls
  removed.
- zod.json: the renamed wire in the idioms of @asteasolutions/zod-to-openapi (OpenAPI 3.1):
  operations without operationId, one shared error schema spread over 400..500, nullable
  components, `propertyNames`, `additionalProperties: {}`, uuid/uri formats, `$ref` with
  siblings, nested inline enums.
"""
import copy
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[4]
OUT = pathlib.Path(__file__).resolve().parent
METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
REF = "#/components/schemas/"


def load():
    return json.loads((OUT / "base.json").read_text())


def ops(doc):
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def rewrite_refs(node, renames):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF) and ref[len(REF):] in renames:
            node["$ref"] = REF + renames[ref[len(REF):]]
        for v in node.values():
            rewrite_refs(v, renames)
    elif isinstance(node, list):
        for v in node:
            rewrite_refs(v, renames)


def inline(doc, name):
    """Replace every bare `$ref` to `name` by a copy of its schema, and drop the component."""
    schema = doc["components"]["schemas"].pop(name)

    def walk(node):
        if isinstance(node, dict):
            for k, v in list(node.items()):
                if isinstance(v, dict) and v.get("$ref") == REF + name:
                    assert len(v) == 1, f"{name} is used with siblings"
                    node[k] = copy.deepcopy(schema)
                else:
                    walk(v)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, dict) and v.get("$ref") == REF + name:
                    assert len(v) == 1, f"{name} is used with siblings"
                    node[i] = copy.deepcopy(schema)
                else:
                    walk(v)

    walk(doc)


def rename_components(doc, renames):
    rewrite_refs(doc, renames)
    doc["components"]["schemas"] = {
        renames.get(k, k): v for k, v in doc["components"]["schemas"].items()
    }


PARAMS = {"instance_id": "instanceId", "build_id": "buildId", "config": "configName",
          "lobbyId": "id", "playerId": "player_id"}


def rename_path_params(doc, params):
    paths = {}
    for path, item in doc["paths"].items():
        new = re.sub(r"\{([^}]*)\}", lambda m: "{" + params.get(m.group(1), m.group(1)) + "}", path)
        for holder in [item] + [item[m] for m in METHODS if m in item]:
            for p in holder.get("parameters", []):
                if p.get("in") == "path":
                    p["name"] = params.get(p["name"], p["name"])
        paths[new] = item
    doc["paths"] = paths


def snake_route_id(method, path):
    words = re.sub(r"[{}]", "", path).strip("/").replace("/", "_").replace("-", "_")
    return f"{method}_{words}"


def renamed(style, drop_ids, inline_names, suffix):
    doc = load()
    for i, (path, method, op) in enumerate(ops(doc)):
        if op["operationId"] in drop_ids:
            del op["operationId"]
        elif style == "snake":
            op["operationId"] = snake_route_id(method, path)
        else:
            op["operationId"] = op["operationId"][0].upper() + op["operationId"][1:] + "Handler"
    for name in inline_names:
        inline(doc, name)
    rename_components(doc, {k: k + suffix for k in doc["components"]["schemas"]})
    rename_path_params(doc, PARAMS)
    return doc


def additive():
    doc = load()
    s = doc["components"]["schemas"]
    s["Server"]["properties"]["region_label"] = {
        "type": "string", "description": "A human label of the region (new)."}
    s["ServerStatus"]["enum"].append("hibernating")
    s["StartServerRequest"]["properties"]["priority"] = {
        "type": "integer", "description": "Scheduling priority (new)."}
    doc["paths"]["/api/v3/servers/{instance_id}/snapshots"] = {"get": {
        "operationId": "listServerSnapshots",
        "summary": "List snapshots of a server (new)",
        "parameters": [{"name": "instance_id", "in": "path", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"snapshots": {"type": "array", "items": {
                "type": "object", "properties": {"id": {"type": "string"}}}}}}}}}},
    }}
    return doc


def breaking():
    doc = load()
    del doc["components"]["schemas"]["Server"]["properties"]["network_ports"]
    req = doc["components"]["schemas"]["Server"].get("required", [])
    if "network_ports" in req:
        req.remove("network_ports")
    del doc["paths"]["/api/v3/servers/{instance_id}/restart"]
    return doc


def zod():
    doc = renamed("snake", {"getHealth", "listBuilds", "getBuild", "kickPlayer", "endMatch",
                            "sendHeartbeat", "getProjectLogs"},
                  ["NetworkPort", "LobbyPlayer", "PortProtocol"], "Schema")
    s = doc["components"]["schemas"]
    # One error schema for every error status, as zod-openapi routes declare them.
    for path, method, op in ops(doc):
        responses = op["responses"]
        error = responses.pop("4XX", None)
        responses.pop("5XX", None)
        if error is not None:
            for code in ["400", "401", "403", "404", "409", "429", "500"]:
                responses.setdefault(code, copy.deepcopy(error))
    # A component nullable as a whole, used bare.
    pool = s["PoolConfigSchema"]
    pool["type"] = ["object", "null"]
    for name in ["ProjectSettingsSchema", "UpdateProjectSettingsRequestSchema"]:
        prop = s[name]["properties"]["pool_config"]
        s[name]["properties"]["pool_config"] = {"$ref": REF + "PoolConfigSchema",
                                                "description": prop.get("description", "pool")}
    # Records: z.record(z.string(), z.unknown()).
    s["ServerSchema"]["properties"]["labels"] = {
        "type": "object", "propertyNames": {"type": "string"}, "additionalProperties": {}}
    # Formats.
    s["ServerSchema"]["properties"]["trace_id"] = {"type": "string", "format": "uuid"}
    s["ServerSchema"]["properties"]["console_url"] = {"type": ["string", "null"], "format": "uri"}
    # A nested inline enum, below the top level of a component.
    s["ServerSchema"]["properties"]["health"] = {"type": "object", "properties": {
        "state": {"type": "string", "enum": ["ok", "degraded", "down"]},
        "since": {"type": "string", "format": "date-time"}}}
    # Numeric exclusive bound and examples on a new field.
    s["ServerSchema"]["properties"]["load"] = {"type": "number", "exclusiveMinimum": 0,
                                               "examples": [0.5]}
    return doc


def write(name, doc):
    (OUT / name).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


write("renamed-snake.json", renamed(
    "snake", {"getServer", "listServers", "createLobby", "getHealth", "leaveLobby",
              "subscribeLobbyEvents", "confirmMatch"},
    ["NetworkPort", "LogEntry", "PortProtocol", "LobbyPlayer", "StopServerResponse",
     "ServerStatus", "MatchConfirmation"], "Dto"))
write("renamed-pascal.json", renamed(
    "pascal", {"startServer", "getBuildLogs", "updateLobbySettings"},
    ["LobbyServerPort", "InviteCodeConfig", "ServerList", "BuildStatus", "LobbyStatus"], "Model"))
write("additive.json", additive())
write("breaking.json", breaking())
write("zod.json", zod())
