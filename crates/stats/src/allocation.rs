//! Concealed, seeded, stratified permuted-block randomisation.
//!
//! The arm of every participant is a pure function of (trial seed, arms with their ratios,
//! allowed block sizes, stratum, position within the stratum). The server therefore stores no
//! list to leak: it computes an arm only when a participant is randomised, and anyone holding
//! the seed can later recompute every entry of the allocation log and check it.
//!
//! # The derivation (version 1, frozen)
//!
//! Changing any step would change past allocations, so these steps are part of the contract:
//!
//! 1. **Stratum key.** K = SHA-256(`"kindred/allocation/v1"` ‖ `0x00` ‖ seed (32 bytes) ‖ the
//!    stratum's name in UTF-8).
//! 2. **Random words.** Stream s is the ChaCha20 keystream (Bernstein's original layout: 64-bit
//!    block counter from 0, 64-bit nonce = s) under key K, read as consecutive little-endian
//!    u64 words — exactly `rand_chacha::ChaCha20Rng::from_seed(K)` with `set_stream(s)` and
//!    `next_u64`, whose output that crate documents as value-stable.
//! 3. **Uniform integer below n.** Draw words w until w ≥ (2⁶⁴ − n) mod n, then take w mod n
//!    (the rejection rule of OpenBSD's `arc4random_uniform`), so every value is exactly
//!    equally likely.
//! 4. **Block sizes.** Stream 0 gives the sizes in order: block j's size is
//!    `block_sizes[uniform(block_sizes.len())]`, the j-th draw.
//! 5. **Block contents.** Block j (counting from 0) uses stream j + 1. Its arms start as arm 0
//!    repeated ratio₀·m times, then arm 1 repeated ratio₁·m times, and so on, with
//!    m = size / Σratio; a Fisher–Yates shuffle then swaps, for i from size − 1 down to 1,
//!    entry i with entry uniform(i + 1).
//! 6. Position p of the stratum falls in the block whose cumulative sizes first exceed p.
//!
//! Every completed block therefore holds each arm exactly in proportion to its ratio.

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

use crate::StatsError;

/// Domain separation for the stratum key, so these keys never collide with another use of
/// the same seed.
const DOMAIN: &[u8] = b"kindred/allocation/v1";

/// A validated randomisation scheme: the trial's secret seed, the arms' allocation ratios and
/// the block sizes to choose from.
#[derive(Clone, PartialEq, Eq)]
pub struct AllocationScheme {
    seed: [u8; 32],
    ratios: Vec<u32>,
    block_sizes: Vec<u32>,
    ratio_sum: u32,
}

// The seed is the secret that conceals the sequence: keep it out of logs and debug output.
impl std::fmt::Debug for AllocationScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AllocationScheme")
            .field("seed", &"<concealed>")
            .field("ratios", &self.ratios)
            .field("block_sizes", &self.block_sizes)
            .finish()
    }
}

/// One participant's allocation and where it sits in the block structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocation {
    /// Position within the stratum, from 0.
    pub position: u64,
    /// Index of the arm, in the order the ratios were given.
    pub arm: usize,
    /// Index of the block within the stratum, from 0.
    pub block: u64,
    /// Size of that block.
    pub block_size: u32,
    /// Position within the block, from 0.
    pub position_in_block: u32,
}

impl AllocationScheme {
    /// Validates a scheme: at least two arms, every ratio above 0, and a non-empty set of
    /// distinct block sizes, each a positive multiple of the sum of the ratios (so a block can
    /// hold the arms in their exact ratio), at most 10 000.
    pub fn new(seed: [u8; 32], ratios: &[u32], block_sizes: &[u32]) -> Result<Self, StatsError> {
        if ratios.len() < 2 {
            return Err(StatsError::InvalidArgument(
                "randomisation needs at least two arms".into(),
            ));
        }
        if let Some(arm) = ratios.iter().position(|&r| r == 0) {
            return Err(StatsError::InvalidArgument(format!("arm {arm} has allocation ratio 0")));
        }
        let ratio_sum = ratios
            .iter()
            .try_fold(0_u32, |sum, &r| sum.checked_add(r))
            .ok_or_else(|| StatsError::InvalidArgument("allocation ratios are too large".into()))?;
        if block_sizes.is_empty() {
            return Err(StatsError::InvalidArgument("no block sizes given".into()));
        }
        for (i, &size) in block_sizes.iter().enumerate() {
            if size == 0 || !size.is_multiple_of(ratio_sum) || size > 10_000 {
                return Err(StatsError::InvalidArgument(format!(
                    "block size {size} is not a positive multiple of the ratio sum {ratio_sum} \
                     (at most 10 000)"
                )));
            }
            if block_sizes[..i].contains(&size) {
                return Err(StatsError::InvalidArgument(format!("block size {size} is repeated")));
            }
        }
        Ok(Self { seed, ratios: ratios.to_vec(), block_sizes: block_sizes.to_vec(), ratio_sum })
    }

    /// The stratum's ChaCha20 key, step 1 of the derivation.
    pub fn stratum_key(&self, stratum: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(DOMAIN);
        hasher.update([0u8]);
        hasher.update(self.seed);
        hasher.update(stratum.as_bytes());
        hasher.finalize().into()
    }

    /// The allocation at `position` within `stratum`: a pure function of the scheme and its
    /// arguments. Costs one random word per earlier block plus one shuffle.
    pub fn allocate(&self, stratum: &str, position: u64) -> Allocation {
        let key = self.stratum_key(stratum);
        let mut sizes = stream(key, 0);
        let mut block = 0_u64;
        let mut block_start = 0_u64;
        loop {
            let size = self.next_block_size(&mut sizes);
            if position < block_start + u64::from(size) {
                let arms = self.block_arms(key, block, size);
                let offset = position - block_start;
                return Allocation {
                    position,
                    arm: arms[offset as usize],
                    block,
                    block_size: size,
                    position_in_block: offset as u32,
                };
            }
            block_start += u64::from(size);
            block += 1;
        }
    }

    /// The whole sequence of `stratum` from position 0, generated block by block (the
    /// efficient form for a batch or for checking a log).
    pub fn sequence(&self, stratum: &str) -> AllocationSequence<'_> {
        let key = self.stratum_key(stratum);
        AllocationSequence {
            scheme: self,
            key,
            sizes: stream(key, 0),
            block: 0,
            arms: Vec::new(),
            next_in_block: 0,
            position: 0,
        }
    }

    fn next_block_size(&self, sizes: &mut ChaCha20Rng) -> u32 {
        let index = uniform_below(sizes, self.block_sizes.len() as u64) as usize;
        self.block_sizes[index]
    }

    /// Block `block`'s arms in allocation order (steps 5 of the derivation).
    fn block_arms(&self, key: [u8; 32], block: u64, size: u32) -> Vec<usize> {
        let multiple = size / self.ratio_sum;
        let mut arms: Vec<usize> = self
            .ratios
            .iter()
            .enumerate()
            .flat_map(|(arm, &ratio)| std::iter::repeat_n(arm, (ratio * multiple) as usize))
            .collect();
        let mut rng = stream(key, block.wrapping_add(1));
        for i in (1..arms.len()).rev() {
            let j = uniform_below(&mut rng, i as u64 + 1) as usize;
            arms.swap(i, j);
        }
        arms
    }
}

/// Allocation at `position` of `stratum` in one call: validates the scheme, then
/// [`AllocationScheme::allocate`].
pub fn allocate(
    seed: [u8; 32],
    ratios: &[u32],
    block_sizes: &[u32],
    stratum: &str,
    position: u64,
) -> Result<Allocation, StatsError> {
    Ok(AllocationScheme::new(seed, ratios, block_sizes)?.allocate(stratum, position))
}

/// The allocations of one stratum in order; never ends.
#[derive(Debug, Clone)]
pub struct AllocationSequence<'a> {
    scheme: &'a AllocationScheme,
    key: [u8; 32],
    sizes: ChaCha20Rng,
    block: u64,
    arms: Vec<usize>,
    next_in_block: usize,
    position: u64,
}

impl Iterator for AllocationSequence<'_> {
    type Item = Allocation;

    fn next(&mut self) -> Option<Allocation> {
        if self.next_in_block >= self.arms.len() {
            if !self.arms.is_empty() {
                self.block += 1;
            }
            let size = self.scheme.next_block_size(&mut self.sizes);
            self.arms = self.scheme.block_arms(self.key, self.block, size);
            self.next_in_block = 0;
        }
        let arm = *self.arms.get(self.next_in_block)?;
        let allocation = Allocation {
            position: self.position,
            arm,
            block: self.block,
            block_size: self.arms.len() as u32,
            position_in_block: self.next_in_block as u32,
        };
        self.next_in_block += 1;
        self.position += 1;
        Some(allocation)
    }
}

fn stream(key: [u8; 32], number: u64) -> ChaCha20Rng {
    let mut rng = ChaCha20Rng::from_seed(key);
    rng.set_stream(number);
    rng
}

/// A uniform integer in [0, n) by rejection (step 3 of the derivation); `n` ≥ 1. The
/// bootstrap draws its resamples with the same rule.
pub(crate) fn uniform_below(rng: &mut ChaCha20Rng, n: u64) -> u64 {
    let threshold = n.wrapping_neg() % n;
    loop {
        let word = rng.next_u64();
        if word >= threshold {
            return word % n;
        }
    }
}
