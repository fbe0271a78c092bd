/**
 * The demo backend: a small notes API with its own username/password login, shipped as a separate
 * WAR ({@code /demo}) so that a new user has something real to point the gateway at. It is not
 * part of the gateway and the gateway never calls into it except over HTTP, as it would any
 * upstream. State is in memory and is lost on restart; users are fixed: {@code alice/wonderland}
 * and {@code bob/builder}.
 */
package dev.toriimcp.demo;
