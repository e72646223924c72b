//! {{values.name}}: {{values.description}}

use axum::{Router, routing::get};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = Router::new().route("/healthz", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("0.0.0.0:{{values.port}}").await?;
    axum::serve(listener, app).await
}
