#include "storage/giveaway_roi_suite.hpp"
