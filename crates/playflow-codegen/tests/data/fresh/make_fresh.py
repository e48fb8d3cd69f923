#!/usr/bin/env python3
"""Make the "fresh" spec variants: made after the binding, the operation constants and the
growable responses were in place, in a naming convention and with choices (operations without
id, inlined components, path parameter names) that no earlier variant (../make_variants.py)
uses, so they test the refresh on input it was not tuned on.

Run from the repository root when ../base.json changes:
    python3 crates/playflow-codegen/tests/data/fresh/make_fresh.py

- fresh-renamed.json: the same wire under other names: operationIds in dotted kebab case
  (`servers.get-by-instance`), components suffixed `Response`/`Body`-free `…Shape`, nine
  operationIds removed, six components inlined at every use, path parameters renamed
  (`{server}`, `{build}`, `{lobbyConfig}`, `{lobby}`), the spellings of nullability swapped
  (`anyOf: [X, null]` <-> `type: [X, "null"]`), the one `oneOf` written as `anyOf`, and
  `PoolConfig` nullable as a whole and used bare.
- fresh-additive.json: a new optional response field (`Lobby.spectators`), a new enum value
  (`LobbyStatus: paused`), a new operation (`POST /api/v3/lobbies/{config}/me/ready`) and a
  new optional request field (`CreateLobbyRequest.region_hint`).
"""
import copy
import json
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent
# make_variants.py writes its files when loaded; read its helpers without running it.
source = (HERE.parent / "make_variants.py").read_text()
helpers = source[: source.index("\nwrite(\"renamed-snake.json\"")]
mv = {"__file__": str(HERE.parent / "make_variants.py")}
exec(compile(helpers, "make_variants.py", "exec"), mv)
load, ops, inline, rename_components, rename_path_params, REF = (
    mv["load"], mv["ops"], mv["inline"], mv["rename_components"], mv["rename_path_params"], mv["REF"])


def dotted_id(method, path):
    parts = [p for p in path.split("/") if p and p not in ("api", "v3")]
    words = [("by-" + p[1:-1]) if p.startswith("{") else p for p in parts]
    return words[0] + "." + method + "-" + "-".join(words[1:]) if len(words) > 1 else words[0] + "." + method


def swap_nullability(node):
    """`anyOf: [{type: T}, {type: null}]` -> `type: [T, "null"]` and the other way round."""
    if isinstance(node, dict):
        branches = node.get("anyOf")
        if isinstance(branches, list) and len(branches) == 2 and {"type": "null"} in branches:
            other = [b for b in branches if b != {"type": "null"}][0]
            if set(other) == {"type"} and isinstance(other["type"], str):
                del node["anyOf"]
                node["type"] = [other["type"], "null"]
                return
        t = node.get("type")
        if isinstance(t, list) and len(t) == 2 and "null" in t and "enum" not in node:
            one = [x for x in t if x != "null"][0]
            node.pop("type")
            rest = {k: node.pop(k) for k in list(node) if k not in ("description", "title", "default", "examples", "example")}
            node["anyOf"] = [dict({"type": one}, **rest), {"type": "null"}]
            return
        for v in node.values():
            swap_nullability(v)
    elif isinstance(node, list):
        for v in node:
            swap_nullability(v)


def one_of_as_any_of(node):
    if isinstance(node, dict):
        if "oneOf" in node and "anyOf" not in node:
            node["anyOf"] = node.pop("oneOf")
        for v in node.values():
            one_of_as_any_of(v)
    elif isinstance(node, list):
        for v in node:
            one_of_as_any_of(v)


def fresh_renamed():
    doc = load()
    drop = {"stopServer", "restartServer", "getBuild", "processBuild", "getProjectSettings",
            "browseLobbies", "joinLobby", "startMatchmaking", "getLobby"}
    for path, method, op in ops(doc):
        if op["operationId"] in drop:
            del op["operationId"]
        else:
            op["operationId"] = dotted_id(method, path)
    s = doc["components"]["schemas"]
    # Nullable as a whole, used bare (zod's `.nullable()` on a registered schema).
    s["PoolConfig"]["type"] = ["object", "null"]
    for name in ["ProjectSettings", "UpdateProjectSettingsRequest"]:
        prop = s[name]["properties"]["pool_config"]
        s[name]["properties"]["pool_config"] = {"$ref": REF + "PoolConfig",
                                                "description": prop.get("description", "pool")}
    for name in ["BuildList", "QueueStats", "LobbyList", "AuthConfig", "DeleteBuildResponse",
                 "LobbyServerPort"]:
        inline(doc, name)
    swap_nullability(doc["components"])
    one_of_as_any_of(doc["paths"])
    rename_components(doc, {k: k + "Shape" for k in doc["components"]["schemas"]})
    rename_path_params(doc, {"instance_id": "server", "build_id": "build",
                             "config": "lobbyConfig", "lobbyId": "lobby"})
    return doc


def fresh_additive():
    doc = load()
    s = doc["components"]["schemas"]
    s["Lobby"]["properties"]["spectators"] = {
        "type": "integer", "description": "Players watching without a seat (new)."}
    s["LobbyStatus"]["enum"].append("paused")
    s["CreateLobbyRequest"]["properties"]["region_hint"] = {
        "type": "string", "description": "Preferred region of the lobby's server (new)."}
    me = doc["paths"]["/api/v3/lobbies/{config}/me"]["get"]
    doc["paths"]["/api/v3/lobbies/{config}/me/ready"] = {"post": {
        "operationId": "markReady",
        "summary": "Mark the player ready (new)",
        "parameters": copy.deepcopy(me["parameters"]),
        "responses": copy.deepcopy(me["responses"]),
    }}
    return doc


def write(name, doc):
    (HERE / name).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


write("fresh-renamed.json", fresh_renamed())
write("fresh-additive.json", fresh_additive())
