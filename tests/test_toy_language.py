"""The toy language of Chapter 6: grammar invariants, gold links, determinism, bad input."""
import pytest
import torch

from paying_attention.toy_language import (MAX_LENGTH, NOUN_KINDS, NOUN_LEMMAS, RELATIONS,
                                           SELECTING_VERBS, VOCABULARY, decode, generate_sentences,
                                           noun_gender, pronoun_for)

PRONOUNS = {"he", "she", "it", "they"}
ANY_OBJECT = ("see", "like", "chase", "help", "know")
NOUN_FORMS = {}
for _lemma in NOUN_LEMMAS:
    NOUN_FORMS[_lemma] = (_lemma, False)
    NOUN_FORMS[{"man": "men", "woman": "women"}.get(_lemma, _lemma + "s")] = (_lemma, True)


@pytest.fixture(scope="module")
def corpus():
    return generate_sentences(3000, seed=5)


def sentences(corpus):
    """Iterate over (index, words) of a corpus."""
    return enumerate(corpus.words)


# ----------------------------------------------------------------------------- the corpus
def test_tokens_decode_to_the_words_with_padding_at_the_end(corpus):
    assert MAX_LENGTH == 21
    assert corpus.tokens.shape == (3000, 21) and corpus.tokens.dtype == torch.long
    assert int(corpus.lengths.max()) <= 21
    for i, words in sentences(corpus):
        length = int(corpus.lengths[i])
        assert length == len(words) <= 21
        assert decode(corpus.tokens[i]) == words
        assert torch.all(corpus.tokens[i, length:] == 0) and torch.all(corpus.tokens[i, :length] > 0)
        assert words[-1] == "." and words[-4] == "and"


def test_agreement_link_points_from_the_main_verb_to_the_head_noun(corpus):
    for i, words in sentences(corpus):
        verb, subject = int(corpus.verb_position[i]), int(corpus.subject_position[i])
        nouns = [p for p, word in enumerate(words) if word in NOUN_FORMS]
        lead = int(corpus.lead_position[i])
        if lead >= 0:   # a lead clause "the dogs sleep and" comes first: its noun, not the subject
            assert nouns[:2] == [lead, subject], "the lead clause's noun is first, the subject next"
            assert words[lead + 2] == "and" and words[lead + 3] == "the" and subject in (lead + 4, lead + 5)
        else:
            assert subject == nouns[0], "without a lead clause the subject is the first noun"
        assert words[verb] in ANY_OBJECT + tuple(SELECTING_VERBS)
        lemma, plural = NOUN_FORMS[words[subject]]
        assert int(corpus.number[i]) == int(plural), "the label is the subject's number"
        attractor = int(corpus.attractor_position[i])
        if attractor >= 0:   # the verb comes after the relative clause, not right after the subject
            assert words[attractor - 2:attractor - 1] == ["that"] or words[attractor - 3] == "that"
            assert subject < attractor < verb
            assert words[verb - 1] in ANY_OBJECT
            assert bool(corpus.attractor_mismatch[i]) == (NOUN_FORMS[words[attractor]][1] != plural)
        else:
            assert verb == subject + 1 and not corpus.attractor_mismatch[i]


def test_coreference_link_points_from_the_pronoun_to_its_only_possible_antecedent(corpus):
    for i, words in sentences(corpus):
        pronoun, antecedent = int(corpus.pronoun_position[i]), int(corpus.antecedent_position[i])
        assert words[pronoun] in PRONOUNS and antecedent < pronoun
        lemma, plural = NOUN_FORMS[words[antecedent]]
        assert pronoun_for(lemma, plural) == words[pronoun]
        assert NOUN_LEMMAS[int(corpus.antecedent[i])] == lemma
        matching = [p for p, word in enumerate(words[:pronoun])
                    if word in NOUN_FORMS and pronoun_for(*NOUN_FORMS[word]) == words[pronoun]]
        assert matching == [antecedent], "exactly one noun fits the pronoun"


def test_ambiguous_pronouns_have_two_fitting_nouns_and_refer_to_the_subject():
    corpus = generate_sentences(3000, seed=5, ambiguous_rate=0.5)
    ambiguous = corpus.competitor_position >= 0
    assert 0.4 < ambiguous.float().mean().item() < 0.5   # the rest had no noun that could compete
    places = {"lead": 0, "attractor": 0, "object": 0}
    for i, words in sentences(corpus):
        pronoun, antecedent = int(corpus.pronoun_position[i]), int(corpus.antecedent_position[i])
        competitor = int(corpus.competitor_position[i])
        lemma, plural = NOUN_FORMS[words[antecedent]]
        assert pronoun_for(lemma, plural) == words[pronoun] and NOUN_LEMMAS[int(corpus.antecedent[i])] == lemma
        matching = [p for p, word in enumerate(words[:pronoun])
                    if word in NOUN_FORMS and pronoun_for(*NOUN_FORMS[word]) == words[pronoun]]
        if competitor < 0:
            assert matching == [antecedent], "exactly one noun fits the pronoun"
            continue
        assert antecedent == int(corpus.subject_position[i]), "of two fitting nouns, the subject"
        assert matching == sorted([antecedent, competitor]), "exactly two nouns fit the pronoun"
        assert NOUN_FORMS[words[competitor]][0] != lemma, "the competitor is another noun"
        for place in places:
            places[place] += competitor == int(getattr(corpus, f"{place}_position")[i])
    # The competitor stands before the subject (a lead clause) or after it, never only one way.
    assert all(count > 0.05 * len(corpus) for count in places.values()), places
    # The other links keep their rules: the selection label still follows the lexicon.
    kinds = [SELECTING_VERBS.get(words[int(corpus.verb_position[i])]) in
             (None, NOUN_KINDS[NOUN_FORMS[words[int(corpus.object_position[i])]][0]])
             for i, words in sentences(corpus)]
    assert torch.equal(torch.tensor(kinds, dtype=torch.long), corpus.fits)


def test_ambiguous_rate_zero_draws_nothing_for_it():
    plain, zero = generate_sentences(300, seed=7), generate_sentences(300, seed=7, ambiguous_rate=0.0)
    assert plain.words == zero.words and torch.all(zero.competitor_position == -1)
    assert generate_sentences(300, seed=7, ambiguous_rate=0.5).words != plain.words


def test_every_sentence_has_two_to_four_distinct_nouns(corpus):
    for _, words in sentences(corpus):
        lemmas = [NOUN_FORMS[word][0] for word in words if word in NOUN_FORMS]
        assert len(lemmas) in (2, 3, 4) and len(set(lemmas)) == len(lemmas)


def test_the_subject_is_often_not_the_first_noun_and_moves_about():
    corpus = generate_sentences(20000, seed=1)
    first_noun = torch.tensor([min(p for p, w in enumerate(words) if w in NOUN_FORMS)
                               for words in corpus.words])
    not_first = first_noun != corpus.subject_position
    assert torch.equal(not_first, corpus.lead_position >= 0)
    assert 0.37 < not_first.float().mean().item() < 0.43
    # The subject's position varies, with and without a lead clause: positions 1 to 4 without,
    # 5 to 7 with one.
    assert corpus.subject_position[not_first].unique().tolist() == [5, 6, 7]
    assert corpus.subject_position[~not_first].unique().tolist() == [1, 2, 3, 4]
    # The lead clause's noun has its own number: it says nothing about the subject's.
    with_lead = corpus[not_first]
    lead_plural = torch.tensor([int(w[p] not in NOUN_LEMMAS) for w, p in
                                zip(with_lead.words, with_lead.lead_position.tolist())])
    assert abs((lead_plural == with_lead.number).float().mean().item() - 0.5) < 0.03


def test_selection_link_points_from_the_object_to_its_verb(corpus):
    for i, words in sentences(corpus):
        verb, obj = int(corpus.verb_position[i]), int(corpus.object_position[i])
        assert obj in (verb + 2, verb + 3) and words[verb + 1] == "the"
        lemma, _ = NOUN_FORMS[words[obj]]
        selects = SELECTING_VERBS.get(words[verb])
        assert bool(corpus.selecting[i]) == (selects is not None)
        # Every object satisfies its verb's selection exactly when the label says it fits.
        assert int(corpus.fits[i]) == int(selects is None or NOUN_KINDS[lemma] == selects)
    assert RELATIONS["selection"] == ("object_position", "verb_position") and len(RELATIONS) == 3


def test_selection_statistics_leave_no_shortcut():
    corpus = generate_sentences(20000, seed=1)
    assert abs(corpus.selecting.float().mean().item() - 0.5) < 0.02
    fits = corpus.fits[corpus.selecting].float().mean().item()
    assert abs(fits - 0.5) < 0.02, "half the selecting verbs' objects break the selection"
    # Neither the object's kind nor the verb alone gives the label.
    objects = [NOUN_KINDS[NOUN_FORMS[w[p]][0]] for w, p in zip(corpus.words, corpus.object_position.tolist())]
    for kind in ("animal", "person"):
        rows = torch.tensor([k == kind for k in objects]) & corpus.selecting
        assert 0.3 < corpus.fits[rows].float().mean().item() < 0.7
    verbs = [w[p] for w, p in zip(corpus.words, corpus.verb_position.tolist())]
    for verb in SELECTING_VERBS:
        rows = torch.tensor([v == verb for v in verbs])
        assert 0.4 < corpus.fits[rows].float().mean().item() < 0.6


def test_label_statistics_leave_no_shortcut():
    corpus = generate_sentences(20000, seed=1)
    assert abs(corpus.number.float().mean().item() - 0.5) < 0.02
    with_clause = corpus.attractor_position >= 0
    assert abs(with_clause.float().mean().item() - 0.7) < 0.02
    # The attractor disagrees with the subject half the time: its number says nothing.
    assert abs(corpus.attractor_mismatch[with_clause].float().mean().item() - 0.5) < 0.02
    pronouns = corpus.tokens[torch.arange(len(corpus)), corpus.pronoun_position]
    for word in PRONOUNS:
        assert abs((pronouns == VOCABULARY.index(word)).float().mean().item() - 0.25) < 0.05
    # The antecedent is not always in the same role.
    roles = [(corpus.antecedent_position == corpus.subject_position).float().mean().item(),
             (corpus.antecedent_position == corpus.attractor_position).float().mean().item()]
    assert all(0.15 < share < 0.6 for share in roles)
    # ... and the lead clause's noun is an antecedent too, in a tenth of the sentences.
    assert 0.05 < (corpus.antecedent_position == corpus.lead_position).float().mean().item() < 0.2


def test_generation_is_deterministic_by_seed():
    first, second = generate_sentences(200, seed=3), generate_sentences(200, seed=3)
    assert first.words == second.words
    for name in ("tokens", "number", "antecedent", "subject_position", "antecedent_position"):
        assert torch.equal(getattr(first, name), getattr(second, name))
    assert generate_sentences(200, seed=4).words != first.words


def test_rates_change_the_grammar():
    assert torch.all(generate_sentences(100, relative_clause_rate=0.0).attractor_position == -1)
    assert torch.all(generate_sentences(100, relative_clause_rate=1.0).attractor_position >= 0)
    plain = generate_sentences(100, adjective_rate=0.0, adverb_rate=0.0, lead_clause_rate=0.0)
    assert torch.all(plain.subject_position == 1) and torch.all(plain.lead_position == -1)
    assert torch.all(generate_sentences(100, adverb_rate=0.0, lead_clause_rate=1.0).lead_position >= 0)
    assert not generate_sentences(100, selection_rate=0.0).selecting.any()
    assert torch.all(generate_sentences(100, violation_rate=0.0).fits == 1)


def test_corpus_indexing_keeps_rows_together(corpus):
    part = corpus[corpus.attractor_mismatch]
    assert len(part) == int(corpus.attractor_mismatch.sum())
    assert torch.all(part.attractor_mismatch)
    first = corpus[:5]
    assert first.words == corpus.words[:5] and torch.equal(first.tokens, corpus.tokens[:5])
    assert corpus[[2, 0]].words == [corpus.words[2], corpus.words[0]]


def test_lexicon_helpers():
    assert noun_gender("queen") == "feminine" and pronoun_for("dog", False) == "it"
    assert pronoun_for("king", True) == "they"
    assert len(VOCABULARY) == len(set(VOCABULARY)) and VOCABULARY[0] == "<pad>"


@pytest.mark.parametrize("kwargs,error,match", [
    ({"num_sentences": 0}, ValueError, "num_sentences must be >= 1"),
    ({"num_sentences": 2.5}, TypeError, "num_sentences must be an integer"),
    ({"num_sentences": 5, "seed": -1}, ValueError, "seed must be >= 0"),
    ({"num_sentences": 5, "relative_clause_rate": 1.5}, ValueError,
     r"relative_clause_rate must lie in \[0, 1\]"),
    ({"num_sentences": 5, "adjective_rate": -0.1}, ValueError, "adjective_rate must be >= 0"),
    ({"num_sentences": 5, "adverb_rate": "often"}, TypeError, "adverb_rate must be a real number"),
    ({"num_sentences": 5, "adverb_rate": 0.7, "lead_clause_rate": 0.4}, ValueError,
     r"adverb_rate \+ lead_clause_rate must be at most 1"),
    ({"num_sentences": 5, "violation_rate": 2.0}, ValueError, r"violation_rate must lie in \[0, 1\]"),
    ({"num_sentences": 5, "ambiguous_rate": 1.5}, ValueError, r"ambiguous_rate must lie in \[0, 1\]"),
])
def test_bad_input_raises_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        generate_sentences(**kwargs)


def test_bad_lexicon_input_raises():
    with pytest.raises(ValueError, match="lemma must be one of"):
        noun_gender("dragon")
    with pytest.raises(ValueError, match="token ids must lie in"):
        decode([1, 99])
