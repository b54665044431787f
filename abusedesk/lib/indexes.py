"""Index options shared by the models."""

# For a text key only ever compared for equality (reply tokens, dedupe
# keys): on PostgreSQL one index that compares bytes. Django's
# db_index/unique on a CharField build two there: one comparing in the
# database's collation (strcoll, twice the time per probe) and a second,
# LIKE-only one; each of the hundreds of thousands of rows a feed writes pays
# for both. An index declared with this operator class is the only one, and
# the fast one; other databases ignore operator classes.
BYTEWISE = ["varchar_pattern_ops"]
