/** The HTTP client and TLS setup of the Vault provider; not exported, no compatibility promise. */
package dev.connect.ca.vault.internal;
