//! Document-level keywords: the version and the 3.1-only fields.

use super::*;

#[test]
fn version_becomes_3_0_3_and_3_1_document_keywords_are_dropped() {
    let out = run(&json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "$schema": "https://spec.openapis.org/oas/3.1/schema/2022-10-07",
        "info": {
            "title": "t",
            "version": "1",
            "summary": "short",
            "license": { "name": "MIT", "identifier": "MIT" },
        },
        "paths": {},
        "webhooks": { "serverStopped": { "post": { "responses": { "200": { "description": "ok" } } } } },
    }));
    assert_eq!(
        out.document,
        json!({
            "openapi": "3.0.3",
            "info": { "title": "t", "version": "1", "license": { "name": "MIT" } },
            "paths": {},
        })
    );
    let all: Vec<_> = out
        .report
        .rewrites
        .iter()
        .map(|r| (r.kind, r.pointer.as_str(), r.detail.as_str()))
        .collect();
    assert_eq!(
        all,
        [
            (RewriteKind::OpenapiVersion, "/openapi", "3.1.0 -> 3.0.3"),
            (
                RewriteKind::DroppedKeyword,
                "/jsonSchemaDialect",
                "jsonSchemaDialect"
            ),
            (RewriteKind::DroppedKeyword, "/$schema", "$schema"),
            (RewriteKind::DroppedKeyword, "/webhooks", "webhooks"),
            (RewriteKind::DroppedKeyword, "/info/summary", "info.summary"),
            (
                RewriteKind::DroppedKeyword,
                "/info/license/identifier",
                "license.identifier"
            ),
        ]
    );
}

#[test]
fn a_3_0_document_passes_through_unreported() {
    let input =
        json!({ "openapi": "3.0.3", "info": { "title": "t", "version": "1" }, "paths": {} });
    let out = run(&input);
    assert_eq!(out.document, input);
    assert!(out.report.rewrites.is_empty(), "{}", out.report);
}

/// zod-to-openapi leaves operationId out unless a route names one; progenitor needs one.
#[test]
fn an_operation_without_operation_id_is_named_from_its_route() {
    let out = run(&document(
        json!({}),
        json!({ "/api/v3/servers/{instanceId}/logs": { "get": { "responses": {} } } }),
    ));
    assert_eq!(
        out.document["paths"]["/api/v3/servers/{instanceId}/logs"]["get"]["operationId"],
        "getApiV3ServersByInstanceIdLogs"
    );
    assert_eq!(
        rewrites(&out),
        [(
            RewriteKind::OperationIdDerived,
            "/paths/~1api~1v3~1servers~1{instanceId}~1logs/get",
            "operationId getApiV3ServersByInstanceIdLogs"
        )]
    );
}
