//! Password hashing with Argon2id, always off the async runtime.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;

use crate::error::{AppError, AppResult};

/// Argon2id cost. The default follows OWASP's minimum (19 MiB, 2 passes).
#[derive(Debug, Clone, Copy)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashCost {
    fn default() -> Self {
        HashCost { memory_kib: 19_456, iterations: 2, parallelism: 1 }
    }
}

fn hasher(cost: HashCost) -> AppResult<Argon2<'static>> {
    let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
        .map_err(|e| AppError::Internal(format!("invalid Argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Password hashing is CPU- and memory-heavy (19 MiB each): at most this many run at
/// once, so a flood of sign-ins queues instead of exhausting memory.
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()) * 2))
}

/// Hashes a password into a PHC string.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn hash(cost: HashCost, password: String) -> AppResult<String> {
    let _slot = hashing_slots().acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher(cost)?
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(format!("hashing task failed: {e}")))?
}

/// Checks a password against a stored PHC string (its own parameters apply).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn verify(stored: String, password: String) -> AppResult<bool> {
    let _slot = hashing_slots().acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
    })
    .await
    .map_err(|e| AppError::Internal(format!("verification task failed: {e}")))
}

/// A random password a person can type (used for printed first-run credentials).
pub fn random_secret() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| {
            let i = rng.random_range(0..ALPHABET.len());
            ALPHABET.get(i).copied().map(char::from).unwrap_or('x')
        })
        .collect()
}
