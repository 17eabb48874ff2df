/**
 * Text as a character-level language-modelling task: a corpus of samples with bytes as tokens
 * (vocabulary 128), split by sample into training and held-out text, and seeded, allocation-free
 * batches of fixed-length windows. The bundled corpus is the Brown corpus ({@link
 * io.github.spectral4j.trainer.text.TextCorpus#brown()}).
 */
package io.github.spectral4j.trainer.text;
