// The check every encrypted export makes before it asks the Rust side: a passphrase, typed the
// same twice. (The Rust side checks its length.)

/** The mistakes in a new passphrase typed twice, by field (`passphrase`, `confirm`). */
export function passphrasePairErrors(passphrase: string, confirm: string): Record<string, string> {
  if (passphrase === "") return { passphrase: "Enter a passphrase to encrypt the private key with." };
  if (confirm !== passphrase) return { confirm: "The two passphrases differ." };
  return {};
}
