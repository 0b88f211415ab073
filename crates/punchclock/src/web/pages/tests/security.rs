//! The security page (password change, sessions, log out everywhere) and
//! the forgot-password pages.

use axum::http::StatusCode;
use axum::Router;

use super::{app, csrf, get, log_in_again, post, signed_in, Reply};

#[tokio::test]
async fn the_security_page_lists_sessions_and_signs_one_out() {
    let (app, _) = app(false).await;
    let (first, _) = signed_in(&app).await;
    // A second browser of the same account.
    let second = log_in_again(&app).await;
    let page = get(&app, "/account/security", Some(&first)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.body.matches("data-testid=\"session\"").count(), 2);
    assert_eq!(page.body.matches("(this one)").count(), 1);
    let token = csrf(&page.body);
    // Sign out the other browser: the revoke form that is not this one's.
    let other = page
        .body
        .split("data-testid=\"session\"")
        .skip(1)
        .find(|row| !row.contains("(this one)"))
        .and_then(|row| row.split("/account/sessions/").nth(1))
        .and_then(|rest| rest.split('/').next())
        .expect("the other session's id")
        .to_owned();
    let r = post(
        &app,
        &format!("/account/sessions/{other}/revoke"),
        Some(&first),
        &[("_csrf", &token)],
    )
    .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/account/security?done=revoked")
    );
    let r = get(&app, "/devices", Some(&second)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the other browser is out");
    let r = get(&app, "/devices", Some(&first)).await;
    assert_eq!(r.status, StatusCode::OK, "this one stays");
    // Someone else's id, or a word: not found.
    for id in ["999999", "abc"] {
        let r = post(
            &app,
            &format!("/account/sessions/{id}/revoke"),
            Some(&first),
            &[("_csrf", &token)],
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{id}");
    }
}

async fn change(app: &Router, cookie: &str, token: &str, current: &str, new: &str) -> Reply {
    let form = [
        ("_csrf", token),
        ("current_password", current),
        ("new_password", new),
    ];
    post(app, "/account/password", Some(cookie), &form).await
}

#[tokio::test]
async fn a_password_change_checks_the_current_one_and_ends_the_others() {
    let (app, _) = app(false).await;
    let (first, token) = signed_in(&app).await;
    let second = log_in_again(&app).await;
    for (current, new, field) in [
        ("wrong horse", "a brand new phrase", "current_password"),
        ("correct horse", "password", "new_password"),
    ] {
        let r = change(&app, &first, &token, current, new).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{current}/{new}"
        );
        assert!(r.body.contains(&format!("f-{field}-error")), "{field}");
    }
    let r = change(&app, &first, &token, "correct horse", "a brand new phrase").await;
    assert_eq!(
        r.location.as_deref(),
        Some("/account/security?done=password")
    );
    assert_eq!(
        get(&app, "/devices", Some(&second)).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        get(&app, "/devices", Some(&first)).await.status,
        StatusCode::OK
    );
    let r = post(
        &app,
        "/login",
        None,
        &[
            ("email", "owner@bakery.example"),
            ("password", "a brand new phrase"),
        ],
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/"));
}

#[tokio::test]
async fn log_out_everywhere_ends_every_browser() {
    let (app, _) = app(false).await;
    let (first, token) = signed_in(&app).await;
    let second = log_in_again(&app).await;
    let r = post(
        &app,
        "/logout/everywhere",
        Some(&first),
        &[("_csrf", "wrong")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(
        &app,
        "/logout/everywhere",
        Some(&first),
        &[("_csrf", &token)],
    )
    .await;
    assert_eq!(r.location.as_deref(), Some("/login"));
    for cookie in [&first, &second] {
        assert_eq!(
            get(&app, "/devices", Some(cookie)).await.status,
            StatusCode::SEE_OTHER
        );
    }
}

#[tokio::test]
async fn forgot_password_answers_alike_and_a_bad_link_says_so() {
    let (app, _) = app(false).await;
    signed_in(&app).await;
    let login = get(&app, "/login", None).await;
    assert!(login.body.contains("href=\"/password/forgot\""));
    assert_eq!(
        get(&app, "/password/forgot", None).await.status,
        StatusCode::OK
    );
    let known = post(
        &app,
        "/password/forgot",
        None,
        &[("email", "owner@bakery.example")],
    )
    .await;
    let unknown = post(
        &app,
        "/password/forgot",
        None,
        &[("email", "nobody@bakery.example")],
    )
    .await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(known.body, unknown.body, "the same answer");
    assert!(known.body.contains("reset-sent"));
    let empty = post(&app, "/password/forgot", None, &[("email", "")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let token = "ab".repeat(32);
    let path = format!("/password/reset/{token}");
    assert_eq!(get(&app, &path, None).await.status, StatusCode::OK);
    let r = post(&app, &path, None, &[("password", "a brand new phrase")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("reset-error"), "{}", r.body);
    let r = get(&app, "/login?reset=1", None).await;
    assert!(r.body.contains("Your password is set"));
}
